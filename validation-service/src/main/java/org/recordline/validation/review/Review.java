package org.recordline.validation.review;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ca.uhn.fhir.parser.IJsonLikeParser;
import ca.uhn.fhir.parser.json.jackson.JacksonStructure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.recordline.events.ValidationIssue;
import org.recordline.validation.codes.CodeChecks;
import org.recordline.validation.conformance.Profiles;
import org.recordline.validation.conformance.fast.FastConformance;
import org.recordline.validation.rules.Located;
import org.recordline.validation.rules.RuleEngine;
import org.recordline.validation.rules.RulePack;

/**
 * The review of one submission, in layers, each adding OperationOutcome-shaped findings:
 * <ol>
 *   <li>filing: one Patient, so the record can be filed under a person ({@link FilingRules});</li>
 *   <li>conformance to the FHIR R4 base specification, by the fast path compiled from the StructureDefinitions
 *   ({@link FastConformance}), when enabled;</li>
 *   <li>code checks that need no terminology server ({@link CodeChecks}), at the severity the rule packs give
 *   them;</li>
 *   <li>the completeness and timeliness rules of every rule pack in force ({@link RuleEngine}).</li>
 * </ol>
 * A submission passes when no finding is an error or fatal; a batch Bundle whose blocking findings all lie in some of
 * its entries (not its Patient) says which ({@link Outcome#heldEntries()}), so that the rest can go on. Pure: no
 * database, no broker; thread-safe.
 */
public final class Review {

    /**
     * Reads the document once, as HAPI's own JSON parser would (exact decimals, nothing after the root), so that HAPI
     * builds its model from this tree instead of parsing the text again. {@link BatchSplit} reads and writes with it
     * too.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .nodeFactory(new JsonNodeFactory(true))
            .build();

    private final FhirContext fhir;
    private final FastConformance conformance;
    private final RuleEngine rules;
    private final Profiles profiles;
    private final java.util.Set<Layer> layers;

    /** The layers after filing that can be switched off ({@code recordline.validation.layers}); filing always runs. */
    public enum Layer {
        /** FHIR R4 base conformance by the fast path. */
        CONFORMANCE,
        /** Code checks that need no terminology server. */
        CODES,
        /** Profiles claimed or required, by HAPI's full validator. */
        PROFILES,
        /** The rule packs' completeness and timeliness rules. */
        RULES
    }

    /**
     * What the review found.
     *
     * @param issues       every finding
     * @param completeness share of applicable rule-pack rules met, 0 to 1; null when the document was unreadable
     * @param patientIdentifiers {@code system|value} of the submission's Patient identifiers, for the desk's search
     * @param resourceType the root's {@code resourceType}, or null when unreadable
     * @param heldEntries  for a batch Bundle judged entry by entry, the entries its blocking findings hold back
     *                     (the rest may go on, see {@link BatchSplit}); empty otherwise
     */
    public record Outcome(List<ValidationIssue> issues, Double completeness, List<String> patientIdentifiers,
                          String resourceType, List<Integer> heldEntries) {

        /** An outcome for the submission as a whole. */
        public Outcome(List<ValidationIssue> issues, Double completeness, List<String> patientIdentifiers,
                       String resourceType) {
            this(issues, completeness, patientIdentifiers, resourceType, List.of());
        }

        /** Whether only some entries of a batch hold it back. */
        public boolean split() {
            return !heldEntries.isEmpty();
        }

        /** Whether the submission may go on to the index. */
        public boolean passed() {
            return issues.stream().noneMatch(ValidationIssue::blocking);
        }

        /** The findings that hold it back. */
        public List<ValidationIssue> blocking() {
            return issues.stream().filter(ValidationIssue::blocking).toList();
        }
    }

    /**
     * @param conformance the fast conformance path, or null to leave conformance out (tests of other layers)
     */
    public Review(FhirContext fhir, FastConformance conformance, RuleEngine rules) {
        this(fhir, conformance, rules, null);
    }

    /**
     * @param profiles the profiles loaded (applied by HAPI's full validator to the resources that claim them or that
     *                 a feed requires), or null for none
     */
    public Review(FhirContext fhir, FastConformance conformance, RuleEngine rules, Profiles profiles) {
        this(fhir, conformance, rules, profiles, java.util.EnumSet.allOf(Layer.class));
    }

    /**
     * @param layers the layers to run after filing; one left out is skipped (its findings are not looked for, and a
     *               submission's completeness is 1 without the rules layer)
     */
    public Review(FhirContext fhir, FastConformance conformance, RuleEngine rules, Profiles profiles,
                  java.util.Set<Layer> layers) {
        this.fhir = fhir;
        this.conformance = conformance;
        this.rules = rules;
        this.profiles = profiles;
        this.layers = layers.isEmpty() ? java.util.EnumSet.noneOf(Layer.class) : java.util.EnumSet.copyOf(layers);
    }

    /**
     * Reviews {@code document} (FHIR JSON) from {@code sourceSystem} against {@code packs}. Never throws for what the
     * document holds: a document too deep for a layer's recursion is one {@code fatal} finding.
     */
    public Outcome review(String sourceSystem, String document, List<RulePack> packs, Instant now) {
        try {
            return reviewLayers(sourceSystem, document, packs, now);
        } catch (StackOverflowError e) {
            return new Outcome(List.of(new ValidationIssue("fatal", "too-costly", "fhir-too-deep", null,
                    "the submission is nested too deeply to be reviewed")), null, List.of(), null);
        }
    }

    private Outcome reviewLayers(String sourceSystem, String document, List<RulePack> packs, Instant now) {
        JsonNode tree;
        try {
            tree = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            tree = null;
        }
        if (tree == null || !tree.isObject()) {
            return new Outcome(List.of(new ValidationIssue("fatal", "structure", "fhir-parse", null,
                    "the submission is not a JSON object")), null, List.of(), null);
        }
        Resource resource;
        try {
            JacksonStructure structure = new JacksonStructure();
            structure.setNativeObject((ObjectNode) tree);
            resource = (Resource) ((IJsonLikeParser) fhir.newJsonParser()).parseResource(structure);
        } catch (DataFormatException | ClassCastException e) {
            resource = null;
        }
        List<ValidationIssue> issues = new ArrayList<>();
        if (resource == null) {
            // the layers that read the JSON tree still say precisely where it goes wrong
            issues.add(new ValidationIssue("fatal", "structure", "fhir-parse", null,
                    "the submission is not parseable FHIR R4"));
        } else {
            issues.addAll(FilingRules.check(resource));
        }
        if (conformance != null && layers.contains(Layer.CONFORMANCE)) {
            issues.addAll(conformance.validate(tree));
        }
        if (layers.contains(Layer.CODES)) {
            for (ValidationIssue i : CodeChecks.check(tree, tree.path("resourceType").asText("Resource"))) {
                String severity = codeCheckSeverity(packs, i.rule());
                if (!"off".equals(severity)) {
                    issues.add(i.withSeverity(severity));
                }
            }
        }
        if (resource == null) {
            return new Outcome(issues, null, List.of(), tree.path("resourceType").asText(null));
        }
        if (layers.contains(Layer.PROFILES)) {
            checkProfiles(sourceSystem, resource, packs, issues);
        }
        int applicable = 0;
        int passed = 0;
        for (RulePack pack : layers.contains(Layer.RULES) ? packs : List.<RulePack>of()) {
            RuleEngine.Result r = rules.apply(pack, sourceSystem, resource, now);
            issues.addAll(r.issues());
            applicable += r.applicable();
            passed += r.passed();
        }
        List<ValidationIssue> found = condensed(issues);
        return new Outcome(found, applicable == 0 ? 1.0 : (double) passed / applicable,
                identifiers(resource), resource.fhirType(), BatchSplit.heldEntries(tree, found));
    }

    /**
     * The profile layer: each resource of the submission is checked against the loaded profiles it claims in
     * {@code meta.profile} and those the packs require of its type from this source. A claimed profile that is not
     * loaded is reported as information, a required one as a warning: neither can be decided here.
     */
    private void checkProfiles(String sourceSystem, Resource submission, List<RulePack> packs,
                               List<ValidationIssue> issues) {
        java.util.Map<String, Integer> unloadedClaims = new java.util.TreeMap<>();
        java.util.Map<String, Integer> unloadedRequired = new java.util.TreeMap<>();
        for (Located located : Located.of(submission)) {
            Resource r = located.resource();
            java.util.Set<String> wanted = new java.util.LinkedHashSet<>();
            r.getMeta().getProfile().forEach(p -> {
                if (p.getValue() != null) {
                    wanted.add(Profiles.bare(p.getValue()));
                }
            });
            java.util.Set<String> required = new java.util.LinkedHashSet<>();
            for (RulePack p : packs) {
                p.settingsFor(sourceSystem).profilesFor(r.fhirType()).forEach(u -> required.add(Profiles.bare(u)));
            }
            wanted.addAll(required);
            List<String> known = new ArrayList<>();
            for (String url : wanted) {
                if (profiles != null && profiles.knows(url)) {
                    known.add(url);
                } else {
                    (required.contains(url) ? unloadedRequired : unloadedClaims).merge(url, 1, Integer::sum);
                }
            }
            if (!known.isEmpty()) {
                issues.addAll(profiles.validate(r, known, located.path()));
            }
        }
        // one finding per profile that could not be checked, not one per resource
        String where = submission.fhirType();
        unloadedRequired.forEach((url, n) -> issues.add(new ValidationIssue("warning", "not-supported",
                "profile-required-not-loaded", where, "the feed requires profile " + url + " of " + n
                + " resource(s), but it is not loaded here; they were not checked against it")));
        unloadedClaims.forEach((url, n) -> issues.add(new ValidationIssue("information", "not-supported",
                "profile-not-loaded", where, n + " resource(s) claim profile " + url
                + ", which is not loaded here; they were not checked against it")));
    }

    private static List<String> identifiers(Resource r) {
        List<String> out = new ArrayList<>();
        for (Located l : Located.of(r)) {
            if (l.resource() instanceof org.hl7.fhir.r4.model.Patient p) {
                p.getIdentifier().stream().filter(i -> i.hasSystem() && i.hasValue())
                        .forEach(i -> out.add(i.getSystem() + "|" + i.getValue()));
            }
        }
        return out;
    }

    /**
     * The findings with repeated warnings and information folded: one finding per severity, rule and text, at its
     * first location, saying how many places it stands for. A Bundle whose 300 observations carry the same
     * placeholder code gets one warning, not 300. Errors keep every location: a technician corrects each of them.
     */
    static List<ValidationIssue> condensed(List<ValidationIssue> issues) {
        java.util.Map<List<String>, int[]> counts = new java.util.HashMap<>();
        for (ValidationIssue i : issues) {
            if (!i.blocking()) {
                counts.computeIfAbsent(List.of(i.severity(), i.rule(), i.message()), k -> new int[1])[0]++;
            }
        }
        if (counts.values().stream().allMatch(c -> c[0] == 1)) {
            return issues;
        }
        List<ValidationIssue> out = new ArrayList<>();
        java.util.Set<List<String>> shown = new java.util.HashSet<>();
        for (ValidationIssue i : issues) {
            if (i.blocking()) {
                out.add(i);
                continue;
            }
            List<String> key = List.of(i.severity(), i.rule(), i.message());
            if (shown.add(key)) {
                int n = counts.get(key)[0];
                out.add(n == 1 ? i : new ValidationIssue(i.severity(), i.code(), i.rule(), i.expression(),
                        i.message() + " (in " + n + " places; the first is shown)", i.pack()));
            }
        }
        return out;
    }

    /** The strictest severity any pack gives a code check; {@code warning} when none says. */
    static String codeCheckSeverity(List<RulePack> packs, String checkId) {
        String best = null;
        for (RulePack p : packs) {
            String s = p.codeCheckSeverity(checkId, null);
            if (s != null && (best == null || rank(s) > rank(best))) {
                best = s;
            }
        }
        return best == null ? "warning" : best;
    }

    private static int rank(String severity) {
        return switch (severity) {
            case "error" -> 3;
            case "warning" -> 2;
            case "information" -> 1;
            default -> 0;
        };
    }
}
