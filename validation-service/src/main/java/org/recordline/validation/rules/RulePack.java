package org.recordline.validation.rules;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.recordline.events.ValidationIssue;

/**
 * A versioned, declarative pack of completeness and timeliness rules, written in YAML (see the module README for the
 * format and examples). Parsing checks the whole pack and reports every problem at once; a pack that parses is
 * complete and consistent, and {@link RuleEngine} compiles its FHIRPath expressions.
 *
 * @param pack        the pack's id, e.g. {@code recordline-core}
 * @param version     the pack's version, named by every finding it produces
 * @param description what the pack is for
 * @param sources     settings per source system; the key {@code default} applies to sources not listed
 * @param codeChecks  severity of each code check ({@code error}, {@code warning}, {@code information} or {@code off})
 * @param rules       the rules
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RulePack(String pack, String version, String description, Map<String, SourceSettings> sources,
                       Map<String, String> codeChecks, List<Rule> rules) {

    /** Kinds of rule. */
    public static final String REQUIRE = "require";
    public static final String WITHIN_DAYS = "within-days";
    public static final String NOT_IN_FUTURE = "not-in-future";
    private static final Set<String> KINDS = Set.of(REQUIRE, WITHIN_DAYS, NOT_IN_FUTURE);
    private static final Set<String> CHECK_SEVERITIES = Set.of("error", "warning", "information", "off");
    private static final Set<String> CODE_CHECKS = Set.of("code-loinc-check-digit", "code-snomed-check-digit",
            "code-icd10cm-shape", "code-npi-check-digit", "date-calendar");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+-]{0,31}");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("\\*|[A-Z][A-Za-z]{1,63}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Largest pack accepted, in characters. */
    public static final int MAX_CHARS = 256 * 1024;
    /** Most rules a pack may hold. */
    public static final int MAX_RULES = 500;

    /**
     * Settings for one source system.
     *
     * @param assigningAuthority the identifier system of the source's medical record numbers; rules name it as
     *                           {@code %assigningAuthority}
     * @param requireProfiles    per resource type, the profiles (canonical URLs) every resource of that type from
     *                           the source must conform to, whether it claims them or not
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record SourceSettings(String assigningAuthority, Map<String, List<String>> requireProfiles) {

        /** The profiles required of resources of {@code type}. */
        public List<String> profilesFor(String type) {
            List<String> l = requireProfiles == null ? null : requireProfiles.get(type);
            return l == null ? List.of() : l;
        }
    }

    /**
     * One rule.
     *
     * @param id             the rule's id, stable across versions
     * @param kind           {@code require} (default), {@code within-days} or {@code not-in-future}
     * @param resourceType   the type it applies to, or {@code *}
     * @param sourceSystems  the source systems it applies to; empty or absent means all
     * @param severity       {@code error} (quarantines), {@code warning} or {@code information}
     * @param code           FHIR issue type of its findings (default {@code required}, or {@code business-rule}
     *                       for timeliness)
     * @param where          FHIRPath: the rule applies only when this is true; absent means always
     * @param require        FHIRPath that must be true ({@code require})
     * @param date           FHIRPath to the resource's own date ({@code within-days})
     * @param reference      FHIRPath to a Reference to another resource of the submission ({@code within-days})
     * @param referencedDate FHIRPath evaluated on that resource ({@code within-days})
     * @param days           most days allowed between the referenced date and the date ({@code within-days})
     * @param dates          FHIRPaths whose dates may not lie in the future ({@code not-in-future})
     * @param location       where a finding points, relative to the resource, e.g. {@code identifier}
     * @param message        plain-language text of a finding, without patient data
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Rule(String id, String kind, String resourceType,
                       @JsonProperty("sourceSystems") List<String> sourceSystems, String severity, String code,
                       String where, String require, String date, String reference, String referencedDate,
                       Integer days, List<String> dates, String location, String message) {

        /** The rule's kind, {@code require} when not given. */
        public String kindOrDefault() {
            return kind == null ? REQUIRE : kind;
        }

        /** Whether the rule applies to records from {@code sourceSystem}. */
        public boolean appliesToSource(String sourceSystem) {
            return sourceSystems == null || sourceSystems.isEmpty() || sourceSystems.contains(sourceSystem);
        }

        /** Whether the rule applies to resources of {@code type}. */
        public boolean appliesToType(String type) {
            return "*".equals(resourceType) || resourceType.equals(type);
        }
    }

    /** {@code id@version}, as findings name it. */
    public String label() {
        return pack + "@" + version;
    }

    /** The settings of {@code sourceSystem}, falling back to {@code default}, then to none. */
    public SourceSettings settingsFor(String sourceSystem) {
        if (sources != null) {
            SourceSettings s = sources.get(sourceSystem);
            if (s == null) {
                s = sources.get("default");
            }
            if (s != null) {
                return s;
            }
        }
        return new SourceSettings(null, null);
    }

    /** The severity a pack gives code check {@code checkId}, or {@code fallback} when it does not say. */
    public String codeCheckSeverity(String checkId, String fallback) {
        return codeChecks == null ? fallback : codeChecks.getOrDefault(checkId, fallback);
    }

    /**
     * Reads and checks a pack. Every problem is reported in one {@link RulePackException}.
     *
     * @throws RulePackException the text is not a well-formed, consistent pack
     */
    public static RulePack parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new RulePackException(List.of("the pack is empty"));
        }
        if (yaml.length() > MAX_CHARS) {
            throw new RulePackException(List.of("the pack is larger than " + MAX_CHARS + " characters"));
        }
        RulePack p;
        try {
            p = YAML.readValue(yaml, RulePack.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new RulePackException(List.of("the pack is not valid YAML for a rule pack" + where + ": "
                    + e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // the YAML reader's own limits (nesting, aliases, size) and anything else it refuses
            throw new RulePackException(List.of("the pack could not be read as YAML ("
                    + e.getClass().getSimpleName() + ")"));
        }
        if (p == null) {
            throw new RulePackException(List.of("the pack is empty"));
        }
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new RulePackException(problems);
        }
        return p;
    }

    /** The pack as YAML again (canonical form). */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> problems() {
        List<String> out = new ArrayList<>();
        if (pack == null || !ID.matcher(pack).matches()) {
            out.add("pack: an id of lower-case letters, digits, dots and hyphens is required");
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            out.add("version: a version (letters, digits, dots, hyphens, plus) is required");
        }
        if (codeChecks != null) {
            codeChecks.forEach((k, v) -> {
                if (!CODE_CHECKS.contains(k)) {
                    out.add("codeChecks." + k + ": no such check; the checks are " + CODE_CHECKS);
                }
                if (v == null || !CHECK_SEVERITIES.contains(v)) {
                    out.add("codeChecks." + k + ": severity must be one of " + CHECK_SEVERITIES);
                }
            });
        }
        if (sources != null) {
            sources.forEach((name, settings) -> {
                if (name == null || name.isBlank() || name.length() > 200) {
                    out.add("sources: a source system name of 1 to 200 characters is required");
                }
                if (settings != null && settings.requireProfiles() != null) {
                    settings.requireProfiles().forEach((type, urls) -> {
                        if (type == null || !RESOURCE_TYPE.matcher(type).matches() || "*".equals(type)) {
                            out.add("sources." + name + ".requireProfiles: a resource type is required as key");
                        }
                        if (urls == null || urls.isEmpty() || urls.stream().anyMatch(u -> u == null || u.isBlank())) {
                            out.add("sources." + name + ".requireProfiles." + type + ": a list of profile URLs is "
                                    + "required");
                        }
                    });
                }
            });
        }
        if (rules == null || rules.isEmpty()) {
            out.add("rules: at least one rule is required");
            return out;
        }
        if (rules.size() > MAX_RULES) {
            out.add("rules: at most " + MAX_RULES + " rules");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r == null) {
                out.add("rules[" + i + "]: empty");
                continue;
            }
            String at = "rules[" + i + "]" + (r.id() == null ? "" : " (" + r.id() + ")");
            if (r.id() == null || !ID.matcher(r.id()).matches()) {
                out.add(at + ": id of lower-case letters, digits, dots and hyphens is required");
            } else if (!ids.add(r.id())) {
                out.add(at + ": id is used twice");
            }
            if (!KINDS.contains(r.kindOrDefault())) {
                out.add(at + ": kind must be one of " + KINDS);
            }
            if (r.resourceType() == null || !RESOURCE_TYPE.matcher(r.resourceType()).matches()) {
                out.add(at + ": resourceType (a FHIR resource type or *) is required");
            }
            if (r.severity() == null || !ValidationIssue.SEVERITIES.contains(r.severity())
                    || "fatal".equals(r.severity())) {
                out.add(at + ": severity must be error, warning or information");
            }
            if (r.message() == null || r.message().isBlank()) {
                out.add(at + ": message is required");
            }
            switch (r.kindOrDefault()) {
                case REQUIRE -> {
                    if (blank(r.require())) {
                        out.add(at + ": require (a FHIRPath expression) is required");
                    }
                }
                case WITHIN_DAYS -> {
                    if (blank(r.date()) || blank(r.reference()) || blank(r.referencedDate())) {
                        out.add(at + ": date, reference and referencedDate are required");
                    }
                    if (r.days() == null || r.days() < 0 || r.days() > 36_500) {
                        out.add(at + ": days (0 to 36500) is required");
                    }
                }
                case NOT_IN_FUTURE -> {
                    if (r.dates() == null || r.dates().isEmpty() || r.dates().stream().anyMatch(RulePack::blank)) {
                        out.add(at + ": dates (FHIRPath expressions) is required");
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
