package org.recordline.validation.conformance.fast;

import java.util.Set;

/**
 * Cheap checks of {@code Narrative.div}: a {@code <div>} root in the XHTML namespace, only the XML entities, and none
 * of the elements the FHIR narrative rules forbid (scripts, forms, embedded objects). This is no full XML parse.
 */
final class Xhtml {

    private Xhtml() {
    }

    static final String XHTML_NS = "http://www.w3.org/1999/xhtml";

    private static final Set<String> XML_ENTITIES = Set.of("lt", "gt", "amp", "quot", "apos");
    private static final Set<String> FORBIDDEN = Set.of("script", "form", "input", "button", "iframe", "frame",
            "frameset", "object", "embed", "applet", "base", "link", "meta", "select", "textarea");

    static Primitives.Problem check(String s) {
        int start = 0;
        while (start < s.length() && Character.isWhitespace(s.charAt(start))) {
            start++;
        }
        if (!s.startsWith("<div", start) || s.length() <= start + 4
                || !(Character.isWhitespace(s.charAt(start + 4)) || s.charAt(start + 4) == '>'
                || s.charAt(start + 4) == '/')) {
            return new Primitives.Problem("error", "invalid", "fhir-xhtml",
                    "the narrative must be an XHTML <div> element");
        }
        int tagEnd = s.indexOf('>', start);
        if (tagEnd < 0) {
            return new Primitives.Problem("error", "invalid", "fhir-xhtml", "the narrative is not well-formed XHTML");
        }
        String rootTag = s.substring(start, tagEnd);
        if (!rootTag.contains("xmlns=\"" + XHTML_NS + "\"") && !rootTag.contains("xmlns='" + XHTML_NS + "'")) {
            return new Primitives.Problem("error", "invalid", "fhir-xhtml",
                    "the narrative <div> must be in the XHTML namespace (" + XHTML_NS + ")");
        }
        for (int i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
            int semi = s.indexOf(';', i);
            if (semi < 0 || semi - i > 32) {
                continue;
            }
            String name = s.substring(i + 1, semi);
            if (name.isEmpty() || !isEntityName(name)) {
                continue;
            }
            if (name.charAt(0) == '#' || XML_ENTITIES.contains(name)) {
                continue;
            }
            return new Primitives.Problem("error", "invalid", "fhir-xhtml",
                    "the narrative uses an HTML entity that XHTML does not define; use a numeric character reference");
        }
        for (int i = s.indexOf('<'); i >= 0; i = s.indexOf('<', i + 1)) {
            int j = i + 1;
            while (j < s.length() && Character.isLetterOrDigit(s.charAt(j))) {
                j++;
            }
            if (j > i + 1 && FORBIDDEN.contains(s.substring(i + 1, j).toLowerCase())) {
                return new Primitives.Problem("error", "invalid", "fhir-xhtml",
                        "the narrative contains an element that FHIR narratives may not use (scripts, forms, "
                                + "embedded objects)");
            }
        }
        return null;
    }

    private static boolean isEntityName(String name) {
        if (name.charAt(0) == '#') {
            if (name.length() < 2) {
                return false;
            }
            boolean hex = name.charAt(1) == 'x' || name.charAt(1) == 'X';
            for (int k = hex ? 2 : 1; k < name.length(); k++) {
                char c = name.charAt(k);
                if (!(Character.isDigit(c) || (hex && "abcdefABCDEF".indexOf(c) >= 0))) {
                    return false;
                }
            }
            return true;
        }
        for (int k = 0; k < name.length(); k++) {
            if (!Character.isLetterOrDigit(name.charAt(k))) {
                return false;
            }
        }
        return true;
    }
}
