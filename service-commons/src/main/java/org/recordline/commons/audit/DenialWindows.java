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

    /** A refusal to record: who, what (reason, method and path), and how many repeats it stands for (0: itself). */
    public record Denial(String actor, String detail, long repeats, Instant since) {
    }

    private record Key(String actor, String detail) {
    }

    private static final class Count {
        private final Instant since;
        private long repeats;

        Count(Instant since) {
            this.since = since;
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
     * A refusal of {@code actor} for {@code detail} at {@code at}: the denial to record now, or null when it only
     * counts as a repeat in this window.
     */
    public synchronized Denial refused(String actor, String detail, Instant at) {
        Key key = new Key(actor, detail);
        Count c = window.get(key);
        if (c == null && window.size() >= maxKeys) {
            key = new Key(SEVERAL, OVERFLOW);
            c = window.get(key);
        }
        if (c != null) {
            c.repeats++;
            return null;
        }
        window.put(key, new Count(at));
        return new Denial(key.actor(), key.detail(), 0, at);
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
                out.add(new Denial(k.actor(), k.detail(), c.repeats, c.since));
            }
        });
        return out;
    }

    /** The audit event's detail of {@code d}: the detail, and for repeats how many and since when. */
    public static String detail(Denial d) {
        return d.repeats() == 0 ? d.detail()
                : d.detail() + " (repeated " + d.repeats() + " times since " + d.since() + ")";
    }
}
