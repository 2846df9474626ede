package org.recordline.validation.review;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.recordline.events.ValidationIssue;

/**
 * What the index needs to file a submission at all: exactly one Patient, alone or in a Bundle. These are the
 * platform's own rules, not a rule pack's: without them nothing downstream can decide whose record it is.
 */
public final class FilingRules {

    private FilingRules() {
    }

    /** Every filing finding for {@code submission}; empty when it can be filed. */
    public static List<ValidationIssue> check(Resource submission) {
        List<ValidationIssue> issues = new ArrayList<>();
        int patients = 0;
        if (submission instanceof Patient) {
            patients = 1;
        } else if (submission instanceof Bundle b) {
            for (Bundle.BundleEntryComponent e : b.getEntry()) {
                if (e.getResource() instanceof Patient) {
                    patients++;
                }
            }
            if (patients > 1) {
                issues.add(new ValidationIssue("error", "business-rule", "single-patient", "Bundle.entry",
                        "the submission holds " + patients + " Patient resources; submit one patient per Bundle"));
            }
        }
        if (patients == 0) {
            issues.add(new ValidationIssue("error", "required", "patient-present", submission.fhirType(),
                    "the submission holds no Patient resource, so its records cannot be filed under a person"));
        }
        return issues;
    }
}
