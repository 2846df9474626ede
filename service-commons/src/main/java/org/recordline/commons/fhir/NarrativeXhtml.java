package org.recordline.commons.fhir;

/**
 * A bounded look at a narrative's XHTML ({@code text.div}) before any XML parser sees it: element nesting depth, and
 * no document type or entity declarations. HAPI's narrative parser is recursive, so a few thousand nested elements
 * would overflow its stack; this scan is a loop over the characters and never recurses.
 *
 * <p>It is deliberately not a parser: it only needs to find where elements open and close. Comments, CDATA sections
 * and processing instructions are skipped, quoted attribute values may contain {@code >}, and {@code <x/>} does not
 * nest. Malformed XHTML is left to HAPI, which refuses it.
 */
public final class NarrativeXhtml {

    private NarrativeXhtml() {
    }

    /** What is wrong with a narrative, or null if it is within the limits. */
    public static String problem(CharSequence xhtml, int maxDepth) {
        int depth = 0;
        int n = xhtml.length();
        int i = 0;
        while (i < n) {
            char c = xhtml.charAt(i);
            if (c != '<') {
                i++;
                continue;
            }
            if (startsWith(xhtml, i, "<!--")) {
                i = skipPast(xhtml, i + 4, "-->");
            } else if (startsWith(xhtml, i, "<![CDATA[")) {
                i = skipPast(xhtml, i + 9, "]]>");
            } else if (startsWith(xhtml, i, "<!")) {
                // <!DOCTYPE ...> or <!ENTITY ...>: entity expansion and external references have no place here
                return "narrative XHTML must not contain a document type or entity declaration";
            } else if (startsWith(xhtml, i, "<?")) {
                i = skipPast(xhtml, i + 2, "?>");
            } else if (startsWith(xhtml, i, "</")) {
                depth = Math.max(0, depth - 1);
                i = skipPast(xhtml, i + 2, ">");
            } else {
                int end = endOfTag(xhtml, i + 1);
                boolean selfClosing = end > i + 1 && end <= n && xhtml.charAt(end - 1) == '/';
                if (!selfClosing && ++depth > maxDepth) {
                    return "narrative XHTML nests elements deeper than " + maxDepth + " levels";
                }
                i = end + 1;
            }
        }
        return null;
    }

    /** Index of the {@code >} that ends a start tag, skipping quoted attribute values; n if there is none. */
    private static int endOfTag(CharSequence s, int from) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i;
            }
        }
        return s.length();
    }

    private static boolean startsWith(CharSequence s, int at, String prefix) {
        if (at + prefix.length() > s.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (s.charAt(at + k) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int skipPast(CharSequence s, int from, String end) {
        for (int i = from; i + end.length() <= s.length(); i++) {
            if (startsWith(s, i, end)) {
                return i + end.length();
            }
        }
        return s.length();
    }
}
