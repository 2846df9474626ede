package org.recordline.validation.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;

/**
 * Serves conformance resources of any type by canonical URL (with or without {@code |version}): Questionnaires,
 * SearchParameters, ImplementationGuides and the rest that {@code PrePopulatedValidationSupport} does not, so that a
 * QuestionnaireResponse can be checked against the Questionnaire it answers when that is loaded.
 */
final class CanonicalResources implements IValidationSupport {

    private final FhirContext fhir;
    private final Map<String, IBaseResource> byUrl = new HashMap<>();

    CanonicalResources(FhirContext fhir, Collection<? extends IBaseResource> resources) {
        this.fhir = fhir;
        for (IBaseResource r : resources) {
            if (r instanceof MetadataResource m && m.hasUrl()) {
                byUrl.putIfAbsent(m.getUrl(), r);
                if (m.hasVersion()) {
                    byUrl.putIfAbsent(m.getUrl() + "|" + m.getVersion(), r);
                }
            }
        }
    }

    @Override
    public <T extends IBaseResource> T fetchResource(Class<T> type, String uri) {
        if (uri == null) {
            return null;
        }
        IBaseResource r = byUrl.get(uri);
        if (r == null && uri.contains("|")) {
            r = byUrl.get(uri.substring(0, uri.indexOf('|')));
        }
        if (r == null || type != null && !type.isInstance(r)) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T found = type == null ? (T) r : type.cast(r);
        return found;
    }

    @Override
    public List<IBaseResource> fetchAllConformanceResources() {
        return List.copyOf(byUrl.values());
    }

    @Override
    public FhirContext getFhirContext() {
        return fhir;
    }

    @Override
    public String getName() {
        return "recordline-canonical-resources";
    }
}
