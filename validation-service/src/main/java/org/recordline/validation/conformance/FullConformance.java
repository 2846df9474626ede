package org.recordline.validation.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.recordline.events.ValidationIssue;

/**
 * The full path: HAPI's {@link FhirInstanceValidator}, the reference implementation of FHIR R4 conformance, run
 * offline over a chain of the core definitions, the common code systems, an in-memory terminology service, snapshot
 * generation and any profiles, value sets and code systems loaded beside them.
 *
 * <p>Offline, the validator cannot reach a terminology server and cannot resolve references to resources outside the
 * submission. What it reports for those reasons is not a defect of the record, so {@link #offlineUndecidable} turns
 * such errors into warnings that say the check could not be decided here: they never quarantine a record.
 *
 * <p>About 20-45 ms a resource on one core here, so it is not on the pipeline's main path: it validates resources
 * that claim a profile, and answers the {@code $validate} operation. Thread-safe once built.
 */
public final class FullConformance {

    /** Prefix of every rule id this layer reports: the validator's own message id follows. */
    public static final String RULE_PREFIX = "fhir-full:";

    /**
     * Messages that depend on something outside this machine or outside the submission: a terminology server, a
     * code system whose content is not distributed with FHIR (LOINC, SNOMED CT, ...), a value set that could not be
     * expanded offline, a referenced resource or profile that is not present.
     */
    private static final Pattern UNDECIDABLE = Pattern.compile(String.join("|",
            "(?i)code ?system is unknown", "(?i)unknown code ?system", "(?i)code ?system could not be found",
            "(?i)unable to expand", "(?i)terminology server", "(?i)tx server", "(?i)could not be resolved",
            "(?i)can't be (validated|checked|resolved)", "(?i)cannot be (validated|checked|resolved)",
            "(?i)unable to (check|validate|find|resolve)", "(?i)not (be )?found in (the )?(tx|terminology)"));

    private final FhirContext fhir;
    private final FhirValidator validator;

    private FullConformance(FhirContext fhir, IValidationSupport chain) {
        this.fhir = fhir;
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        module.setAnyExtensionsAllowed(true);
        module.setErrorForUnknownProfiles(false);
        module.setNoTerminologyChecks(false);
        this.validator = fhir.newValidator().registerValidatorModule(module);
        this.validator.setConcurrentBundleValidation(false);
    }

    /** The base specification only. */
    public static FullConformance base(FhirContext fhir) {
        return withResources(fhir, List.of());
    }

    /**
     * The base specification plus {@code extra} conformance resources (StructureDefinitions, ValueSets,
     * CodeSystems), for example the contents of implementation-guide packages.
     */
    public static FullConformance withResources(FhirContext fhir, Collection<? extends IBaseResource> extra) {
        return new FullConformance(fhir, chain(new DefaultProfileValidationSupport(fhir), extra));
    }

    /** As {@link #withResources(FhirContext, Collection)}, sharing an already loaded core. */
    public static FullConformance withResources(DefaultProfileValidationSupport core,
                                                Collection<? extends IBaseResource> extra) {
        return new FullConformance(core.getFhirContext(), chain(core, extra));
    }

    /** The offline chain the validator runs over: the core, {@code extra}, common terminology, snapshots. */
    public static ValidationSupportChain chain(DefaultProfileValidationSupport core,
                                               Collection<? extends IBaseResource> extra) {
        FhirContext fhir = core.getFhirContext();
        List<IValidationSupport> parts = new ArrayList<>();
        parts.add(core);
        if (!extra.isEmpty()) {
            PrePopulatedValidationSupport pre = new PrePopulatedValidationSupport(fhir);
            for (IBaseResource r : extra) {
                String type = fhir.getResourceType(r);
                if (type.equals("StructureDefinition") || type.equals("ValueSet") || type.equals("CodeSystem")) {
                    pre.addResource(r);
                }
            }
            parts.add(pre);
            parts.add(new CanonicalResources(fhir, extra));
        }
        parts.add(new CommonCodeSystemsTerminologyService(fhir));
        parts.add(new InMemoryTerminologyServerValidationSupport(fhir));
        parts.add(new SnapshotGeneratingValidationSupport(fhir));
        return new ValidationSupportChain(parts.toArray(IValidationSupport[]::new));
    }

    /** Validates a parsed resource against the base specification and the profiles it claims. */
    public List<ValidationIssue> validate(IBaseResource resource) {
        return toIssues(validator.validateWithResult(resource));
    }

    /** Validates {@code resource} also against {@code profiles} (canonical URLs). */
    public List<ValidationIssue> validate(IBaseResource resource, Collection<String> profiles) {
        ValidationOptions options = new ValidationOptions();
        profiles.forEach(options::addProfile);
        return toIssues(validator.validateWithResult(resource, options));
    }

    /**
     * Validates a document as text (JSON or XML), so that the validator sees it exactly as sent. A document the
     * validator cannot read at all is one {@code fatal} finding.
     */
    public List<ValidationIssue> validate(String document) {
        return validate(document, List.of());
    }

    /** Validates a document as text against {@code profiles} too. */
    public List<ValidationIssue> validate(String document, Collection<String> profiles) {
        ValidationOptions options = new ValidationOptions();
        profiles.forEach(options::addProfile);
        try {
            return toIssues(validator.validateWithResult(document, options));
        } catch (RuntimeException e) {
            // the message of a parser's exception may quote the document: name only its kind
            return List.of(new ValidationIssue("fatal", "structure", RULE_PREFIX + "unreadable", null,
                    "the validator could not read the document (" + e.getClass().getSimpleName() + ")"));
        }
    }

    /** The context this validator was built for. */
    public FhirContext fhirContext() {
        return fhir;
    }

    private static List<ValidationIssue> toIssues(ValidationResult result) {
        List<ValidationIssue> issues = new ArrayList<>(result.getMessages().size());
        for (SingleValidationMessage m : result.getMessages()) {
            issues.add(toIssue(m));
        }
        return issues;
    }

    static ValidationIssue toIssue(SingleValidationMessage m) {
        String severity = severity(m.getSeverity());
        String message = redacted(m.getMessage() == null ? "" : m.getMessage());
        String rule = RULE_PREFIX + (m.getMessageId() == null ? "unspecified" : m.getMessageId());
        if (("error".equals(severity) || "fatal".equals(severity)) && offlineUndecidable(m.getMessageId(), message)) {
            return new ValidationIssue("warning", "not-supported", rule, m.getLocationString(),
                    "cannot be decided offline (no terminology server, or a reference outside the submission): "
                            + message);
        }
        return new ValidationIssue(severity, code(m), rule, m.getLocationString(), message);
    }

    /** Quoted text in the validator's messages: values of the record, which findings never carry. */
    private static final Pattern QUOTED = Pattern.compile("'[^']{0,4000}'|\"[^\"]{0,4000}\"|`[^`]{0,4000}`");
    /** Unquoted values the validator prints after these words. */
    private static final Pattern VALUE_AFTER = Pattern.compile(
            "(?i)((?:value|date|datetime|instant|time|code|id|url|uri|text)\\s+(?:is\\s+|of\\s+)?)(\\([^)]{0,4000}\\))");

    /**
     * The validator's message with every quoted or bracketed value replaced by {@code …}: HAPI quotes element values
     * ("The value 'x' does not match regex"), and a finding never carries patient data. The location says where.
     */
    static String redacted(String message) {
        String out = QUOTED.matcher(message).replaceAll("'…'");
        out = VALUE_AFTER.matcher(out).replaceAll("$1(…)");
        return out.length() > 500 ? out.substring(0, 500) + "…" : out;
    }

    /**
     * Whether an error depends on a terminology server or on resources outside the submission, rather than on the
     * record itself.
     */
    static boolean offlineUndecidable(String messageId, String message) {
        String id = messageId == null ? "" : messageId.toUpperCase(Locale.ROOT);
        if (id.contains("UNKNOWN_CODESYSTEM") || id.contains("VALUESET_NOT_FOUND") || id.contains("CANTRESOLVE")
                || id.contains("UNABLE_TO_RESOLVE") || id.contains("NOTFOUND_CANNOT")) {
            return true;
        }
        return UNDECIDABLE.matcher(message).find();
    }

    private static String severity(ResultSeverityEnum s) {
        if (s == null) {
            return "error";
        }
        return switch (s) {
            case FATAL -> "fatal";
            case ERROR -> "error";
            case WARNING -> "warning";
            case INFORMATION -> "information";
        };
    }

    private static String code(SingleValidationMessage m) {
        String id = m.getMessageId() == null ? "" : m.getMessageId().toUpperCase(Locale.ROOT);
        if (id.contains("CARDINALITY") || id.contains("MIN") && id.contains("REQUIRED")) {
            return "required";
        }
        if (id.contains("TYPE") || id.contains("DATATYPE") || id.contains("PRIMITIVE")) {
            return "value";
        }
        if (id.contains("INV") || id.contains("CONSTRAINT")) {
            return "invariant";
        }
        if (id.contains("CODE") || id.contains("VALUESET") || id.contains("BINDING")) {
            return "code-invalid";
        }
        return "invalid";
    }
}
