package org.recordline.local.bench;

import java.util.ArrayList;
import java.util.List;

/** The figures a benchmark prints at its end, as rows of a Markdown table for docs/benchmarks.md. */
final class SummaryTable {

    private final List<String> rows = new ArrayList<>();

    /** Adds a row. */
    void row(String figure, String value) {
        rows.add("| " + figure + " | " + value + " |");
    }

    /** Prints the table. */
    void print() {
        System.out.printf("%nSummary (rows for docs/benchmarks.md):%n| figure | value |%n|---|---|%n");
        rows.forEach(System.out::println);
    }
}
