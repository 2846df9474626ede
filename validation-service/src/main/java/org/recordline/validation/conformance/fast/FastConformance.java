package org.recordline.validation.conformance.fast;

import ca.uhn.fhir.context.support.IValidationSupport;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recordline.events.ValidationIssue;

/**
 * Fast-path FHIR R4 base conformance checker: the structure of every resource and data type is compiled once from
 * the R4 StructureDefinition snapshots (and the required bindings from the ValueSets/CodeSystems) that an
 * {@link IValidationSupport} serves, then resources are checked by walking their Jackson tree. No profiles, no
 * terminology server, no FHIRPath engine.
 *
 * <h2>What is checked (errors)</h2>
 * <ul>
 *   <li>Structure: unknown properties ({@code fhir-unknown-element}), including {@code _x} companions of non-primitive
 *       elements, choice types ({@code value[x]}: only the allowed types, at most one), content references (e.g.
 *       {@code Questionnaire.item.item}), backbone elements, contained resources, Bundle entry resources and any other
 *       {@code Resource}-typed element; missing or unknown / abstract {@code resourceType} ({@code fhir-resource-type}).</li>
 *   <li>Cardinality: required elements missing ({@code fhir-cardinality-min}; a {@code _x} companion counts as present),
 *       more values than the maximum ({@code fhir-cardinality-max}), array vs single value per the base maximum
 *       ({@code fhir-array}).</li>
 *   <li>Primitive values ({@code fhir-type} for JSON type mismatches, {@code fhir-primitive} for lexical errors): R4
 *       regexes for date, dateTime (incl. "time needs a timezone"), instant, time (plus real calendar days), boolean,
 *       integer / positiveInt / unsignedInt (JSON integers, 32-bit, ranges), decimal, id, code, uri / url /
 *       canonical (no whitespace, well-formed urn:uuid / urn:oid), oid, uuid, base64Binary, strings over 1 MB;
 *       resource ids ({@code fhir-resource-id}; contained ids only for their characters).</li>
 *   <li>ele-1: empty objects, empty arrays, empty or blank strings, nulls in arrays not paired with a {@code _x} item.</li>
 *   <li>Required bindings on {@code code}, {@code Coding} and {@code CodeableConcept} ({@code fhir-binding-required})
 *       whose value set can be expanded offline from the support (explicit concepts, whole complete CodeSystems,
 *       imported value sets, simple excludes). Systems that cannot be enumerated offline (filters, LOINC, SNOMED,
 *       UCUM, BCP-47/13, ISO 4217, ...) are "open": codes in them are accepted; a {@code code} element bound to a
 *       value set with an open system is not checked; a CodeableConcept without codings is not checked.</li>
 *   <li>References: whitespace, malformed {@code urn:uuid:} / {@code urn:oid:}, relative references naming a resource
 *       type R4 does not have ({@code fhir-reference-format}, {@code fhir-reference-type}); inside a Bundle,
 *       {@code urn:uuid:} references matching no entry fullUrl ({@code fhir-reference-unresolved}).</li>
 *   <li>Invariants ({@code fhir-invariant:<key>}): ref-1 (local {@code #id} reference must match a contained resource),
 *       dom-2, dom-4, dom-5, per-1 (when both bounds are comparable), qty-3 (Quantity and its R4 profiles such as Age),
 *       att-1, obs-6, obs-7, pat-1, ext-1, bdl-1, bdl-2, bdl-3, bdl-4, bdl-5, bdl-7, bdl-8, bdl-9, bdl-10, bdl-11,
 *       bdl-12; Bundle fullUrl must be absolute and, when it looks RESTful, match the entry's type and id; fullUrl
 *       required in document/message/collection Bundles; link relations self/first/prev/next/last at most once;
 *       search set entries in mode match/include need ids, mode outcome must be an OperationOutcome.</li>
 *   <li>Extensions whose definition the support knows: value type allowed, no value for complex extensions,
 *       relative sub-extension urls defined, element contexts (lenient matching), no version in the url.</li>
 *   <li>Narrative div: an XHTML {@code <div>} in the XHTML namespace, only XML entities, no scripts/forms/objects.</li>
 * </ul>
 *
 * <h2>Warnings / information only</h2>
 * dom-3 (contained resource not referenced: warning, the reference validator does not fail on it either), strings with
 * leading/trailing whitespace (warning), extensions whose definition is unknown (information; HAPI's default allows
 * any extension).
 *
 * <h2>Not checked</h2>
 * Profiles (meta.profile, slicing, fixed/pattern values), FHIRPath invariants other than those above, extensible /
 * preferred bindings, code validity in code systems outside a required binding, display names, UCUM units, reference
 * target types and resolution of non-urn:uuid references, Questionnaire/QuestionnaireResponse consistency, full
 * XHTML well-formedness. These need the full validator (or a terminology server).
 *
 * <p>Thread-safe: the compiled models are immutable; each {@link #validate} call uses its own walker.
 */
public final class FastConformance {

    private final Map<String, Model.ObjectModel> types;
    private final Map<String, String> baseTypes;
    private final Map<String, Model.ExtensionDef> extensions;
    private final Model.ObjectModel elementModel;

    private FastConformance(Compiler c) {
        this.types = c.types;
        this.baseTypes = c.baseTypeOf;
        this.extensions = c.extensions;
        this.elementModel = c.types.get("Element");
    }

    /**
     * Compiles the models of every resource and data type from the StructureDefinitions/ValueSets/CodeSystems that
     * {@code support} serves (DefaultProfileValidationSupport, possibly chained with a PrePopulatedValidationSupport
     * holding extra supporting resources). Expensive; done once.
     */
    public static FastConformance compile(IValidationSupport support) {
        Compiler c = new Compiler(support);
        c.compile(support);
        if (c.types.get("Resource") == null || c.types.get("Element") == null) {
            throw new IllegalStateException("the validation support serves no R4 base StructureDefinitions");
        }
        return new FastConformance(c);
    }

    /**
     * Checks one resource (a JSON object with resourceType, may be a Bundle with entry[].resource, or have
     * contained[]). Never throws on bad input; returns findings (empty = no findings). Thread-safe.
     */
    public List<ValidationIssue> validate(JsonNode resource) {
        Walker w = new Walker(this);
        try {
            w.root(resource);
        } catch (RuntimeException | StackOverflowError e) {
            List<ValidationIssue> out = new ArrayList<>(w.issues);
            out.add(new ValidationIssue("warning", "exception", "fhir-fast-internal", "",
                    "the fast conformance check could not complete; the full validator should check this resource"));
            return out;
        }
        return w.issues;
    }

    // ------------------------------------------------------------------ package-private accessors

    boolean isResourceType(String name) {
        Model.ObjectModel m = types.get(name);
        return m != null && m.resource;
    }

    Model.ObjectModel resourceModel(String name) {
        Model.ObjectModel m = types.get(name);
        return m != null && m.resource ? m : null;
    }

    boolean isKnownType(String name) {
        return types.containsKey(name);
    }

    String baseTypeOf(String type) {
        return baseTypes.get(type);
    }

    Model.ObjectModel elementModel() {
        return elementModel;
    }

    Model.ExtensionDef extensionDef(String url) {
        return extensions.get(url);
    }
}
