package org.recordline.validation.conformance.fast;

import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * Offline expansion of value sets into code sets, done once at compile time. A value set that cannot be expanded
 * completely is still useful: systems whose codes are unknown (LOINC, SNOMED, UCUM, BCP-47, filters, ...) are kept as
 * "open" systems, in which every code is accepted.
 */
final class CodeSets {

    /** An expanded value set. Immutable after construction. */
    static final class CodeSet {
        final String url;
        /** system -> codes; a system with a null set is open (any code accepted). */
        final Map<String, Set<String>> systems = new HashMap<>();
        /** Systems whose code system is not case sensitive: codes are stored lower case. */
        final Set<String> caseInsensitive = new HashSet<>();
        /** Whether a code without a system (a {@code code} element) can be decided. */
        boolean anyOpen;
        final Set<String> allCodes = new HashSet<>();

        CodeSet(String url) {
            this.url = url;
        }

        /** TRUE = in the set, FALSE = not, null = cannot be decided. */
        Boolean containsCode(String code) {
            if (anyOpen || !caseInsensitive.isEmpty()) {
                return allCodes.contains(code) ? Boolean.TRUE : null;
            }
            return allCodes.contains(code);
        }

        /** TRUE = in the set, FALSE = not, null = cannot be decided. */
        Boolean containsCoding(String system, String code) {
            if (!systems.containsKey(system)) {
                return Boolean.FALSE;
            }
            Set<String> codes = systems.get(system);
            if (codes == null) {
                return null;
            }
            String c = caseInsensitive.contains(system) ? code.toLowerCase(Locale.ROOT) : code;
            return codes.contains(c);
        }
    }

    private final IValidationSupport support;
    private final Map<String, CodeSet> cache = new HashMap<>();
    private final Set<String> inProgress = new HashSet<>();
    private static final CodeSet UNDECIDABLE = new CodeSet("");

    CodeSets(IValidationSupport support) {
        this.support = support;
    }

    /** Returns the expanded value set, or null if it cannot be expanded offline at all. */
    CodeSet get(String url) {
        if (url == null) {
            return null;
        }
        String key = stripVersion(url);
        CodeSet cs = cache.get(key);
        if (cs == null) {
            if (!inProgress.add(key)) {
                return null;
            }
            try {
                cs = expand(key);
            } catch (RuntimeException e) {
                cs = null;
            } finally {
                inProgress.remove(key);
            }
            cache.put(key, cs == null ? UNDECIDABLE : cs);
        }
        return cs == UNDECIDABLE ? null : cs;
    }

    static String stripVersion(String url) {
        int bar = url.indexOf('|');
        return bar < 0 ? url : url.substring(0, bar);
    }

    private CodeSet expand(String url) {
        IBaseResource r = support.fetchValueSet(url);
        if (!(r instanceof ValueSet vs)) {
            return null;
        }
        CodeSet out = new CodeSet(url);
        if (!vs.hasCompose()) {
            if (vs.hasExpansion() && !vs.getExpansion().hasParameter()) {
                addContains(out, vs.getExpansion().getContains());
                return out;
            }
            return null;
        }
        for (ValueSet.ConceptSetComponent inc : vs.getCompose().getInclude()) {
            if (inc.hasValueSet()) {
                if (inc.hasSystem()) {
                    open(out, inc.getSystem());
                    continue;
                }
                for (var imported : inc.getValueSet()) {
                    CodeSet sub = get(imported.getValue());
                    if (sub == null) {
                        return null;
                    }
                    merge(out, sub);
                }
                continue;
            }
            if (!inc.hasSystem()) {
                return null;
            }
            String system = inc.getSystem();
            if (inc.hasFilter()) {
                open(out, system);
            } else if (inc.hasConcept()) {
                CodeSystem cs = codeSystem(system);
                boolean ci = cs != null && cs.hasCaseSensitive() && !cs.getCaseSensitive();
                for (ValueSet.ConceptReferenceComponent c : inc.getConcept()) {
                    add(out, system, c.getCode(), ci);
                }
            } else {
                CodeSystem cs = codeSystem(system);
                if (cs == null || cs.getContent() != CodeSystem.CodeSystemContentMode.COMPLETE || !cs.hasConcept()) {
                    open(out, system);
                } else {
                    boolean ci = cs.hasCaseSensitive() && !cs.getCaseSensitive();
                    addConcepts(out, system, cs.getConcept(), ci);
                }
            }
        }
        for (ValueSet.ConceptSetComponent exc : vs.getCompose().getExclude()) {
            if (exc.hasSystem() && exc.hasConcept() && !exc.hasFilter() && !exc.hasValueSet()) {
                Set<String> codes = out.systems.get(exc.getSystem());
                if (codes != null) {
                    for (ValueSet.ConceptReferenceComponent c : exc.getConcept()) {
                        codes.remove(c.getCode());
                        out.allCodes.remove(c.getCode());
                    }
                }
            } else {
                return null;
            }
        }
        return out;
    }

    private CodeSystem codeSystem(String system) {
        try {
            IBaseResource r = support.fetchCodeSystem(system);
            return r instanceof CodeSystem cs ? cs : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void open(CodeSet out, String system) {
        out.systems.put(system, null);
        out.anyOpen = true;
    }

    private static void add(CodeSet out, String system, String code, boolean ci) {
        if (out.systems.containsKey(system) && out.systems.get(system) == null) {
            return;
        }
        String c = ci ? code.toLowerCase(Locale.ROOT) : code;
        if (ci) {
            out.caseInsensitive.add(system);
        }
        out.systems.computeIfAbsent(system, k -> new HashSet<>()).add(c);
        out.allCodes.add(c);
    }

    private static void addConcepts(CodeSet out, String system, List<CodeSystem.ConceptDefinitionComponent> concepts,
            boolean ci) {
        for (CodeSystem.ConceptDefinitionComponent c : concepts) {
            if (c.hasCode()) {
                add(out, system, c.getCode(), ci);
            }
            if (c.hasConcept()) {
                addConcepts(out, system, c.getConcept(), ci);
            }
        }
    }

    private static void addContains(CodeSet out, List<ValueSet.ValueSetExpansionContainsComponent> contains) {
        for (ValueSet.ValueSetExpansionContainsComponent c : contains) {
            if (c.hasSystem() && c.hasCode()) {
                add(out, c.getSystem(), c.getCode(), false);
            }
            if (c.hasContains()) {
                addContains(out, c.getContains());
            }
        }
    }

    private static void merge(CodeSet out, CodeSet sub) {
        for (Map.Entry<String, Set<String>> e : sub.systems.entrySet()) {
            if (e.getValue() == null) {
                open(out, e.getKey());
            } else {
                boolean ci = sub.caseInsensitive.contains(e.getKey());
                for (String c : e.getValue()) {
                    add(out, e.getKey(), c, ci);
                }
            }
        }
    }
}
