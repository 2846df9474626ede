package org.recordline.validation.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.fhirpath.ExpressionNode;
import org.hl7.fhir.r4.fhirpath.FHIRPathEngine;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.recordline.events.ValidationIssue;

/**
 * Applies rule packs to submissions. Each pack's FHIRPath expressions are parsed once per source system (its
 * settings, such as {@code %assigningAuthority}, are bound in as literals) and cached. A Bundle's rules run on each
 * entry's resource; a within-days rule finds the resource it refers to inside the same submission.
 *
 * <p>Thread-safe: HAPI's FHIRPath engine keeps state while it evaluates, so each thread has its own engine and its
 * own cache of parsed expressions; submissions are reviewed on several threads at once without a lock.
 */
public final class RuleEngine {

    /** How far in the future a date may lie before it counts as "in the future" (clock skew between systems). */
    static final Duration FUTURE_TOLERANCE = Duration.ofHours(24);

    private final ThreadLocal<Evaluator> evaluators;

    /** One thread's FHIRPath engine and the expressions it has parsed. */
    private record Evaluator(FHIRPathEngine engine, Map<String, ExpressionNode> parsed) {
    }

    /** What a pack found in one submission. */
    public record Result(List<ValidationIssue> issues, int applicable, int passed) {

        /** Share of applicable rules the submission met; 1 when none applied. */
        public double completeness() {
            return applicable == 0 ? 1.0 : (double) passed / applicable;
        }
    }

    public RuleEngine(FhirContext fhir) {
        this(fhir, new DefaultProfileValidationSupport(fhir));
    }

    public RuleEngine(FhirContext fhir, DefaultProfileValidationSupport core) {
        this.evaluators = ThreadLocal.withInitial(() ->
                new Evaluator(new FHIRPathEngine(new HapiWorkerContext(fhir, core)), new HashMap<>()));
    }

    /**
     * Parses every expression of {@code pack} for {@code sourceSystems} (and the default settings), so that a pack
     * with a broken expression is refused before it is used.
     *
     * @throws RulePackException an expression does not parse
     */
    public void compile(RulePack pack, List<String> sourceSystems) {
        List<String> problems = new ArrayList<>();
        List<String> systems = new ArrayList<>(sourceSystems);
        systems.add("default");
        for (String system : systems) {
            for (RulePack.Rule r : pack.rules()) {
                for (String expr : expressions(r)) {
                    try {
                        expression(pack, system, expr);
                    } catch (RuntimeException e) {
                        problems.add("rule " + r.id() + ": the FHIRPath expression '" + expr
                                + "' does not parse: " + e.getMessage());
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RulePackException(problems.stream().distinct().toList());
        }
    }

    /** Parses every expression of {@code pack} for the source systems it names settings for. */
    public void compile(RulePack pack) {
        compile(pack, pack.sources() == null ? List.of() : List.copyOf(pack.sources().keySet()));
    }

    /** Applies {@code pack} to a submission (a resource or a Bundle) from {@code sourceSystem}. */
    public Result apply(RulePack pack, String sourceSystem, Resource submission, Instant now) {
        List<ValidationIssue> issues = new ArrayList<>();
        int[] counts = new int[2];
        Map<String, Resource> byReference = new HashMap<>();
        if (submission instanceof Bundle b) {
            for (Bundle.BundleEntryComponent e : b.getEntry()) {
                Resource r = e.getResource();
                if (r == null) {
                    continue;
                }
                if (e.hasFullUrl()) {
                    byReference.put(e.getFullUrl(), r);
                }
                if (r.hasIdElement() && r.getIdElement().hasIdPart()) {
                    byReference.put(r.fhirType() + "/" + r.getIdElement().getIdPart(), r);
                }
            }
        }
        for (Located l : Located.of(submission)) {
            for (RulePack.Rule rule : pack.rules()) {
                if (rule.appliesToType(l.resource().fhirType()) && rule.appliesToSource(sourceSystem)) {
                    applyRule(pack, sourceSystem, rule, l.resource(), l.path(), byReference, now, issues, counts);
                }
            }
        }
        return new Result(issues, counts[0], counts[1]);
    }

    private void applyRule(RulePack pack, String source, RulePack.Rule rule, Resource r, String path,
                           Map<String, Resource> byReference, Instant now, List<ValidationIssue> issues,
                           int[] counts) {
        if (rule.where() != null && !truthy(eval(pack, source, rule.where(), r))) {
            return;
        }
        boolean met;
        switch (rule.kindOrDefault()) {
            case RulePack.WITHIN_DAYS -> {
                Instant date = firstInstant(eval(pack, source, rule.date(), r), false);
                Resource target = referenced(eval(pack, source, rule.reference(), r), byReference);
                Instant from = target == null ? null
                        : firstInstant(eval(pack, source, rule.referencedDate(), target), true);
                if (date == null || from == null) {
                    return; // not decidable from this submission: the rule does not apply
                }
                met = !date.isAfter(from.plus(rule.days(), ChronoUnit.DAYS));
            }
            case RulePack.NOT_IN_FUTURE -> {
                Instant limit = now.plus(FUTURE_TOLERANCE);
                met = true;
                for (String expr : rule.dates()) {
                    for (Base b : eval(pack, source, expr, r)) {
                        Instant at = instant(b, false);
                        if (at != null && at.isAfter(limit)) {
                            met = false;
                        }
                    }
                }
            }
            default -> met = truthy(eval(pack, source, rule.require(), r));
        }
        counts[0]++;
        if (met) {
            counts[1]++;
            return;
        }
        String code = rule.code() != null ? rule.code()
                : RulePack.REQUIRE.equals(rule.kindOrDefault()) ? "required" : "business-rule";
        String location = rule.location() == null || rule.location().isBlank() ? path : path + "." + rule.location();
        issues.add(new ValidationIssue(rule.severity(), code, rule.id(), location, rule.message(), pack.label()));
    }

    private List<Base> eval(RulePack pack, String source, String expr, Resource r) {
        try {
            return evaluators.get().engine().evaluate(null, r, r, r, expression(pack, source, expr));
        } catch (RuntimeException e) {
            return List.of(); // a type mismatch on odd input: treat as nothing found
        }
    }

    private ExpressionNode expression(RulePack pack, String source, String expr) {
        String authority = pack.settingsFor(source).assigningAuthority();
        String bound = expr.replace("%assigningAuthority", authority == null ? "{}" : literal(authority));
        Evaluator e = evaluators.get();
        return e.parsed().computeIfAbsent(bound, e.engine()::parse);
    }

    private static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static List<String> expressions(RulePack.Rule r) {
        List<String> out = new ArrayList<>();
        for (String s : new String[] {r.where(), r.require(), r.date(), r.reference(), r.referencedDate()}) {
            if (s != null && !s.isBlank()) {
                out.add(s);
            }
        }
        if (r.dates() != null) {
            out.addAll(r.dates());
        }
        return out;
    }

    /** FHIRPath truthiness for a rule: something was found, and no boolean among it is false. */
    static boolean truthy(List<Base> values) {
        if (values.isEmpty()) {
            return false;
        }
        for (Base b : values) {
            if (b instanceof BooleanType bt && !Boolean.TRUE.equals(bt.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static Resource referenced(List<Base> values, Map<String, Resource> byReference) {
        for (Base b : values) {
            if (b instanceof Reference ref && ref.hasReference()) {
                Resource r = byReference.get(ref.getReference());
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private static Instant firstInstant(List<Base> values, boolean periodEnd) {
        for (Base b : values) {
            Instant at = instant(b, periodEnd);
            if (at != null) {
                return at;
            }
        }
        return null;
    }

    /** The instant of a date, dateTime or instant (its start), or of a Period's start or end. */
    private static Instant instant(Base b, boolean periodEnd) {
        if (b instanceof BaseDateTimeType d && d.getValue() != null) {
            Date v = d.getValue();
            return v.toInstant();
        }
        if (b instanceof Period p) {
            BaseDateTimeType d = periodEnd && p.hasEnd() ? p.getEndElement() : p.getStartElement();
            return d.getValue() == null ? null : d.getValue().toInstant();
        }
        return null;
    }
}
