package org.recordline.console.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The samples of a Prometheus text exposition (format 0.0.4, as the services' {@code /q/metrics} serve it): enough to
 * sum counters and gauges by name and labels for the pipeline page. Comments, blank lines and lines it cannot read are
 * skipped; a value of {@code NaN} or {@code ±Inf} is skipped too, so sums stay finite.
 */
public final class PrometheusText {

    /** One sample: metric name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String key) {
            return labels.get(key);
        }
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                Sample s = sample(line.strip());
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return new PrometheusText(out);
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Every sample of {@code name}. */
    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The sum of the samples of {@code name} that {@code which} accepts; 0 when none. */
    public double sum(String name, Predicate<Sample> which) {
        return samples.stream().filter(s -> s.name().equals(name) && which.test(s)).mapToDouble(Sample::value).sum();
    }

    /** The largest sample of a name starting with {@code prefix}; 0 when none. */
    public double maxOfPrefix(String prefix) {
        return samples.stream().filter(s -> s.name().startsWith(prefix)).mapToDouble(Sample::value).max().orElse(0);
    }

    static Sample sample(String line) {
        if (line.isEmpty() || line.charAt(0) == '#') {
            return null;
        }
        int i = 0;
        while (i < line.length() && nameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            return null;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        String rest = line.substring(i).strip();
        int space = rest.indexOf(' ');
        String value = space < 0 ? rest : rest.substring(0, space);
        try {
            double v = Double.parseDouble(value);
            return Double.isFinite(v) ? new Sample(name, labels, v) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads {@code key="value",...}} from {@code i}; the index after the closing brace, or -1 if malformed. */
    private static int labels(String line, int i, Map<String, String> into) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq).strip();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length(); j++) {
                char d = line.charAt(j);
                if (d == '\\' && j + 1 < line.length()) {
                    char e = line.charAt(++j);
                    v.append(e == 'n' ? '\n' : e);
                } else if (d == '"') {
                    break;
                } else {
                    v.append(d);
                }
            }
            if (j >= line.length()) {
                return -1;
            }
            into.put(key, v.toString());
            i = j + 1;
        }
        return -1;
    }

    private static boolean nameChar(char c, boolean first) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }
}
