package org.recordline.ingestion.domain;

/** Where a submission stands in the pipeline. A submission only ever moves to a higher {@link #rank()}. */
public enum SubmissionStatus {
    /** Parsed, recorded and acknowledged by the broker on {@code ehr.ingested.v1}. */
    RECEIVED(0),
    /** Passed the completeness rules. */
    VALIDATED(1),
    /** Held back for a records technician; see the issues. */
    QUARANTINED(1),
    /** Filed under an enterprise person in the master patient index. */
    INDEXED(2),
    /** Held back, then dismissed by a records technician (the sender's duplicate, a test record, ...): never filed. */
    DISMISSED(3);

    private final int rank;

    SubmissionStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }
}
