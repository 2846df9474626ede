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
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
                  @ConfigProperty(name = "recordline.validation.layers",
                          defaultValue = "conformance,codes,profiles,rules") List<String> layerNames,
                  @ConfigProperty(name = "recordline.validation.profiles.dir") Optional<String> profilesDir) {
        long t0 = System.nanoTime();
        Set<Review.Layer> layers = EnumSet.noneOf(Review.Layer.class);
        for (String name : layerNames) {
            if (!name.isBlank() && !"none".equalsIgnoreCase(name.strip())) {
                layers.add(Review.Layer.valueOf(name.strip().toUpperCase(Locale.ROOT)));
            }
        }
        boolean fast = layers.contains(Review.Layer.CONFORMANCE);
        FastConformance conformance = fast ? FastConformance.compile(core) : null;
        Profiles profiles = profilesDir.map(d -> Profiles.load(core, Path.of(d))).orElse(null);
        LOG.infof("review ready in %d ms (layers %s, %d profiles from %d conformance resources)",
                (System.nanoTime() - t0) / 1_000_000, layers,
                profiles == null ? 0 : profiles.profileUrls().size(), profiles == null ? 0 : profiles.size());
        return new Review(fhir, conformance, rules, profiles, layers);
    }
}
