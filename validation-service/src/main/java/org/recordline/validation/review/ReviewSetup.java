package org.recordline.validation.review;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import java.nio.file.Path;
import java.util.Optional;
import org.recordline.validation.conformance.Profiles;
import org.recordline.validation.conformance.fast.FastConformance;
import org.recordline.validation.rules.RuleEngine;

/**
 * Builds the review once, at start-up: the core definitions are loaded and the fast conformance path compiled from
 * them (several seconds), so that the first submission does not wait for it.
 */
@ApplicationScoped
public class ReviewSetup {

    private static final Logger LOG = Logger.getLogger(ReviewSetup.class);

    @Produces
    @Singleton
    DefaultProfileValidationSupport core(FhirContext fhir) {
        return new DefaultProfileValidationSupport(fhir);
    }

    @Produces
    @Singleton
    RuleEngine ruleEngine(FhirContext fhir, DefaultProfileValidationSupport core) {
        return new RuleEngine(fhir, core);
    }

    @Produces
    @Singleton
    @Startup
    Review review(FhirContext fhir, DefaultProfileValidationSupport core, RuleEngine rules,
                  @ConfigProperty(name = "recordline.validation.conformance.fast", defaultValue = "true")
                  boolean fast,
                  @ConfigProperty(name = "recordline.validation.profiles.dir") Optional<String> profilesDir) {
        long t0 = System.nanoTime();
        FastConformance conformance = fast ? FastConformance.compile(core) : null;
        Profiles profiles = profilesDir.map(d -> Profiles.load(core, Path.of(d))).orElse(null);
        LOG.infof("review ready in %d ms (fast conformance %s, %d profiles from %d conformance resources)",
                (System.nanoTime() - t0) / 1_000_000, fast ? "on" : "off",
                profiles == null ? 0 : profiles.profileUrls().size(), profiles == null ? 0 : profiles.size());
        return new Review(fhir, conformance, rules, profiles);
    }
}
