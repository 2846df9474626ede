package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.ingestion.domain.BundleRequests;

/**
 * The FHIR bodies of the asynchronous request pattern: the transaction-response or batch-response Bundle of a
 * submission (each entry with its status and location), and informational outcomes.
 */
final class AsyncAnswers {

    /** The status endpoint of a submission, under the FHIR base. */
    static final String STATUS_PATH = "fhir/_async/";

    private AsyncAnswers() {
    }

    /** Whether the caller speaks FHIR: asked for the asynchronous pattern, or accepts FHIR media types. */
    static boolean fhirClient(String prefer, String accept) {
        return (prefer != null && prefer.toLowerCase(java.util.Locale.ROOT).contains("respond-async"))
                || (accept != null && (accept.contains("application/fhir+json")
                || accept.contains("application/fhir+xml") || accept.contains("application/json+fhir")
                || accept.contains("application/xml+fhir")));
    }

    /**
     * The response Bundle of a submission: {@code transaction-response} for a transaction, else {@code
     * batch-response}. Entries taken carry {@code takenStatus} ({@code 202 Accepted} while the pipeline works, {@code
     * 201 Created} once filed) and their location; refused entries of a batch carry 400 and an OperationOutcome.
     *
     * @param requestType the submission's Bundle type (transaction or batch), or null for one without requests
     * @param outcomes    its entries' outcomes, or null for a submission without requests (one entry then)
     */
    static String responseBundle(FhirContext fhir, String requestType, List<BundleRequests.EntryOutcome> outcomes,
                                 String takenStatus, Instant lastModified) {
        Bundle b = new Bundle();
        b.setType("transaction".equals(requestType) ? Bundle.BundleType.TRANSACTIONRESPONSE
                : Bundle.BundleType.BATCHRESPONSE);
        List<BundleRequests.EntryOutcome> entries = outcomes == null
                ? List.of(new BundleRequests.EntryOutcome(201, null, null)) : outcomes;
        for (BundleRequests.EntryOutcome e : entries) {
            Bundle.BundleEntryResponseComponent r = b.addEntry().getResponse();
            if (e.status() < 300) {
                r.setStatus(takenStatus).setLastModified(Date.from(lastModified));
                if (e.location() != null) {
                    r.setLocation(e.location());
                }
            } else {
                r.setStatus(e.status() == 422 ? "422 Unprocessable Entity" : e.status() + " Bad Request");
                OperationOutcome oo = new OperationOutcome();
                oo.addIssue().setSeverity(IssueSeverity.ERROR)
                        .setCode(e.status() == 422 ? IssueType.BUSINESSRULE : IssueType.INVALID)
                        .setDiagnostics(e.diagnostics());
                r.setOutcome(oo);
            }
        }
        return fhir.newJsonParser().encodeResourceToString(b);
    }

    /**
     * The outcomes with the entries validation held back ({@code heldBack}: positions among the entries passed on,
     * the 201s) turned into {@code 422}: they wait for a records technician and were not filed.
     */
    static List<BundleRequests.EntryOutcome> withHeldBack(List<BundleRequests.EntryOutcome> outcomes,
                                                          List<Integer> heldBack) {
        if (outcomes == null || heldBack == null || heldBack.isEmpty()) {
            return outcomes;
        }
        java.util.Set<Integer> held = new java.util.HashSet<>(heldBack);
        List<BundleRequests.EntryOutcome> out = new java.util.ArrayList<>(outcomes.size());
        int passedOn = 0;
        for (BundleRequests.EntryOutcome o : outcomes) {
            if (o.status() < 300 && held.contains(passedOn++)) {
                out.add(new BundleRequests.EntryOutcome(422, null, o.location()
                        + " was held back by validation for a records technician and is not filed"));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    /** An informational OperationOutcome. */
    static String information(FhirContext fhir, String diagnostics) {
        OperationOutcome oo = new OperationOutcome();
        oo.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.INFORMATIONAL)
                .setDiagnostics(diagnostics);
        return fhir.newJsonParser().encodeResourceToString(oo);
    }
}
