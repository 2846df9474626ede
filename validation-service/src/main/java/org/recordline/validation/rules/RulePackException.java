package org.recordline.validation.rules;

import java.util.List;

/** A rule pack that cannot be used, with every reason found. Messages name the pack's own text, never records. */
public class RulePackException extends RuntimeException {

    private final List<String> problems;

    public RulePackException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, one per entry. */
    public List<String> problems() {
        return problems;
    }
}
