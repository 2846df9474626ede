package org.recordline.validation.domain.rules;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.recordline.events.ValidationIssue;

/**
 * The first completeness rules of a medical records desk: a submission must name its patient, and the patient must
 * carry an identifier, a name, a birth date and a gender, or it cannot be filed under the right person.
 */
public final class CompletenessRules {

    private CompletenessRules() {
    }

    /** Every finding for {@code submission} (a Patient, a Bundle, or another resource); empty when complete. */
    public static List<ValidationIssue> check(Resource submission) {
        List<ValidationIssue> issues = new ArrayList<>();
        int patients = 0;
        if (submission instanceof Patient p) {
            patients = 1;
            checkPatient(p, "Patient", issues);
        } else if (submission instanceof Bundle b) {
            for (int i = 0; i < b.getEntry().size(); i++) {
                if (b.getEntry().get(i).getResource() instanceof Patient p) {
                    patients++;
                    checkPatient(p, "Bundle.entry[" + i + "].resource", issues);
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

    private static void checkPatient(Patient p, String path, List<ValidationIssue> issues) {
        boolean identified = p.getIdentifier().stream().anyMatch(CompletenessRules::usable);
        if (!identified) {
            issues.add(new ValidationIssue("error", "required", "patient-identifier", path + ".identifier",
                    "Patient has no identifier with a system and a value"));
        }
        boolean named = p.getName().stream().anyMatch(CompletenessRules::usable);
        if (!named) {
            issues.add(new ValidationIssue("error", "required", "patient-name", path + ".name",
                    "Patient has no name with a family or given part"));
        }
        if (!p.hasBirthDate()) {
            issues.add(new ValidationIssue("error", "required", "patient-birthdate", path + ".birthDate",
                    "Patient has no birth date"));
        }
        if (!p.hasGender()) {
            issues.add(new ValidationIssue("error", "required", "patient-gender", path + ".gender",
                    "Patient has no administrative gender"));
        }
    }

    private static boolean usable(Identifier id) {
        return id.hasSystem() && id.hasValue() && !id.getValue().isBlank();
    }

    private static boolean usable(HumanName n) {
        return (n.hasFamily() && !n.getFamily().isBlank()) || n.getGiven().stream().anyMatch(g -> !g.isEmpty());
    }
}
