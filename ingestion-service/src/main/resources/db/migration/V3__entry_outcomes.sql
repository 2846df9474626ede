-- What became of each entry of a transaction or batch Bundle, one a line ("201<TAB>Type/id" or "400<TAB>reason"):
-- the entries of the transaction-response or batch-response the asynchronous status endpoint answers with.
-- Null for every other submission.
ALTER TABLE submission ADD COLUMN entry_outcomes TEXT;
