package org.recordline.commons.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.PerformanceOptionsEnum;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's single R4 {@link FhirContext}: expensive to build, thread-safe to share. */
public class FhirContextProducer {

    @Produces
    @Singleton
    FhirContext fhirContext() {
        FhirContext ctx = FhirContext.forR4();
        ctx.setPerformanceOptions(PerformanceOptionsEnum.DEFERRED_MODEL_SCANNING);
        // keep each entry's own resource id; Synthea's fullUrls are urn:uuid references, not ids
        ctx.getParserOptions().setOverrideResourceIdWithBundleEntryFullUrl(false);
        ctx.getParserOptions().setStripVersionsFromReferences(false);
        // a lenient parse must not log what it tolerates: HAPI's default handler logs each invalid value, which is
        // patient data (a parser that must refuse sets a StrictErrorHandler of its own)
        ctx.setParserErrorHandler(new ca.uhn.fhir.parser.LenientErrorHandler(false));
        return ctx;
    }
}
