package org.recordline.commons.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refused requests folded per window, so that a flood of them cannot grow the audit log without bound: the first
 * refusal of a caller for a reason in a window is recorded at once (an auditor sees it without delay); its repeats in
 * that window are only counted, and when the window closes one more event says how many there were. At most
 * {@code maxKeys} callers and reasons are told apart in a window; beyond that, every other refusal is folded into one
 * more ({@link #SEVERAL}, {@link #OVERFLOW}), so a window holds at most {@code maxKeys + 1}. Pure and thread-safe; the
 * caller closes windows.
 */
public final class DenialWindows {

    /** The actor of refusals folded together once a window tells {@code maxKeys} apart. */
    public static final String SEVERAL = "(several callers)";

    /** Their detail. */
    public static final String OVERFLOW = "refused requests beyond the callers and reasons told apart in one window";

    /**
     * A refusal to record: who, what (the reason and the first refused request's method and path), and how many
     * repeats it stands for (0: itself).
     */
    public record Denial(String actor, String detail, long repeats, Instant since) {
    }

    /** A caller and a reason: the paths it tries do not tell its refusals apart, so it cannot crowd out others. */
    private record Key(String actor, String reason) {
    }

    private static final class Count {
        private final Instant since;
        private final String detail;
        private long repeats;

        Count(Instant since, String detail) {
            this.since = since;
            this.detail = detail;
        }
    }

    private final int maxKeys;
    private Map<Key, Count> window = new LinkedHashMap<>();

    /** Windows telling apart at most {@code maxKeys} callers and reasons. */
    public DenialWindows(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1");
        }
        this.maxKeys = maxKeys;
    }

    /**
     * A refusal of {@code actor} for {@code reason} (e.g. {@code not authorised}) of {@code request} (method and
     * path) at {@code at}: the denial to record now, or null when it only counts as a repeat in this window (of the
     * same caller and reason, whatever the path).
     */
    public synchronized Denial refused(String actor, String reason, String request, Instant at) {
        Key key = new Key(actor, reason);
        String detail = request == null || request.isEmpty() ? reason : reason + " " + request;
        Count c = window.get(key);
        if (c == null && window.size() >= maxKeys) {
            key = new Key(SEVERAL, OVERFLOW);
            detail = OVERFLOW;
            c = window.get(key);
        }
        if (c != null) {
            c.repeats++;
            return null;
        }
        window.put(key, new Count(at, detail));
        return new Denial(key.actor(), detail, 0, at);
    }

    /** Closes the window: one denial for each caller and reason that repeated in it, with the count; a new window. */
    public List<Denial> close() {
        Map<Key, Count> closed;
        synchronized (this) {
            closed = window;
            window = new LinkedHashMap<>();
        }
        List<Denial> out = new ArrayList<>();
        closed.forEach((k, c) -> {
            if (c.repeats > 0) {
                out.add(new Denial(k.actor(), c.detail, c.repeats, c.since));
            }
        });
        return out;
    }

    /**
     * The audit event's detail of {@code d}: the detail, and for repeats how many and since when (the first refused
     * request is named; the repeats may have been of other paths).
     */
    public static String detail(Denial d) {
        return d.repeats() == 0 ? d.detail()
                : d.detail() + " (repeated " + d.repeats() + " times since " + d.since() + ", any path)";
    }
}
