package org.recordline.audit.domain;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Rows in PostgreSQL's {@code COPY ... FROM STDIN} text format: columns separated by tabs, rows ended by newlines,
 * {@code \N} for null, backslash escapes for backslash, tab, newline and carriage return; {@code bytea} as {@code \x}
 * hex and {@code text[]} as an array literal, each escaped again as text.
 */
final class CopyText {

    private static final HexFormat HEX = HexFormat.of();

    private final StringBuilder out;
    private boolean rowStarted;

    CopyText(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    private StringBuilder next() {
        if (rowStarted) {
            out.append('\t');
        }
        rowStarted = true;
        return out;
    }

    CopyText text(String s) {
        StringBuilder b = next();
        if (s == null) {
            b.append("\\N");
        } else {
            escape(b, s);
        }
        return this;
    }

    CopyText number(long v) {
        next().append(v);
        return this;
    }

    CopyText time(Instant t) {
        next().append(t.toString());
        return this;
    }

    CopyText bytes(byte[] v) {
        next().append("\\\\x").append(HEX.formatHex(v));
        return this;
    }

    /** A {@code text[]}: every element double-quoted, its quotes and backslashes escaped. */
    CopyText textArray(List<String> values) {
        StringBuilder literal = new StringBuilder(values.size() * 48).append('{');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            literal.append('"');
            String v = values.get(i);
            for (int j = 0; j < v.length(); j++) {
                char ch = v.charAt(j);
                if (ch == '"' || ch == '\\') {
                    literal.append('\\');
                }
                literal.append(ch);
            }
            literal.append('"');
        }
        escape(next(), literal.append('}'));
        return this;
    }

    /** Ends the row with the rest of its columns, as another {@code CopyText} gave them (ended). */
    CopyText rest(String columns) {
        next().append(columns);
        rowStarted = false;
        return this;
    }

    /** Ends the row. */
    CopyText end() {
        out.append('\n');
        rowStarted = false;
        return this;
    }

    private static void escape(StringBuilder b, CharSequence s) {
        int n = s.length();
        int first = 0;
        while (first < n && !special(s.charAt(first))) {
            first++;
        }
        // most values have nothing to escape: appended whole
        b.append(s, 0, first);
        for (int i = first; i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(ch);
            }
        }
    }

    private static boolean special(char ch) {
        return ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r';
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
