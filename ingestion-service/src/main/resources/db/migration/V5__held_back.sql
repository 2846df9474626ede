-- The entries of a batch that the validation-service held back for a records technician (positions, from 0, in the
-- Bundle as it was passed on), comma-separated: the asynchronous status answers them 422 in the batch-response.
ALTER TABLE submission ADD COLUMN held_back TEXT;
