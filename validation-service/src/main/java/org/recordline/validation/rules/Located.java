package org.recordline.validation.rules;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * A resource of a submission and the FHIRPath that leads to it: the root itself, or each entry's resource of a
 * Bundle ({@code Bundle.entry[i].resource}). The layers that judge resources one by one start from here.
 */
public record Located(Resource resource, String path) {

    /** The resources {@code submission} consists of, in order; entries without a resource are left out. */
    public static List<Located> of(Resource submission) {
        List<Located> out = new ArrayList<>();
        if (submission instanceof Bundle b) {
            for (int i = 0; i < b.getEntry().size(); i++) {
                Resource r = b.getEntry().get(i).getResource();
                if (r != null) {
                    out.add(new Located(r, "Bundle.entry[" + i + "].resource"));
                }
            }
        } else {
            out.add(new Located(submission, submission.fhirType()));
        }
        return out;
    }
}
