package org.recordline.commons.audit;

/** Where {@code access.denied} audit events go: the outbox by default, the log itself in the audit-service. */
public interface AccessDenialSink {

    /**
     * Records a refused request.
     *
     * @param actor  the caller's principal, or {@code anonymous}
     * @param detail why and what, e.g. {@code not authorised POST /fhir}
     */
    void denied(String actor, String detail);
}
