package org.recordline.console.pages;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.qute.TemplateExtension;
import java.util.Map;

/**
 * Template helpers: {@code {resource.asJson}} shows a parsed resource as indented JSON; {@code {instant.when}} shows an
 * RFC 3339 instant as {@code 2026-01-15 09:30:01 UTC}.
 */
@TemplateExtension
public final class JsonExtensions {

    private JsonExtensions() {
    }

    static String when(String instant) {
        if (instant == null || instant.length() < 19 || instant.charAt(10) != 'T') {
            return instant;
        }
        return instant.substring(0, 10) + " " + instant.substring(11, 19) + (instant.endsWith("Z") ? " UTC" : "");
    }

    /**
     * A value as one query parameter: {@code ehr-west|w-1} becomes {@code ehr-west%7Cw-1} (a browser sends a raw
     * {@code |} from a script's request as it is, and the server refuses it).
     */
    static String queryParam(String value) {
        return value == null ? "" : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code 0.8734} as {@code 87.3%}. */
    static String percent(Number share) {
        return share == null ? "—" : String.format(java.util.Locale.ROOT, "%.1f%%", share.doubleValue() * 100);
    }

    /** A figure with one decimal. */
    static String oneDecimal(Number n) {
        return n == null ? "—" : String.format(java.util.Locale.ROOT, "%.1f", n.doubleValue());
    }

    static String asJson(Map<?, ?> value) {
        try {
            return Answer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
