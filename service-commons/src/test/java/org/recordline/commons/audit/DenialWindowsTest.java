package org.recordline.commons.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenialWindowsTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void theFirstRefusalIsRecordedAtOnceAndItsRepeatsAsOneCountedEventWhenTheWindowCloses() {
        DenialWindows w = new DenialWindows(100);
        DenialWindows.Denial first = w.refused("mallory", "not authorised", "GET /persons", T0);
        assertNotNull(first);
        assertEquals(0, first.repeats());
        assertEquals("not authorised GET /persons", DenialWindows.detail(first));
        for (int i = 1; i < 500; i++) {
            assertNull(w.refused("mallory", "not authorised", "GET /persons", T0.plusMillis(i)));
        }
        List<DenialWindows.Denial> closed = w.close();
        assertEquals(1, closed.size());
        assertEquals(499, closed.get(0).repeats());
        assertEquals("not authorised GET /persons (repeated 499 times since 2026-11-28T10:00:00Z, any path)",
                DenialWindows.detail(closed.get(0)));
        // a new window: the next refusal is recorded at once again, and a window without repeats closes silently
        assertNotNull(w.refused("mallory", "not authorised", "GET /persons", T0.plusSeconds(61)));
        assertTrue(w.close().isEmpty());
    }

    @Test
    void callersAndReasonsAreToldApart() {
        DenialWindows w = new DenialWindows(100);
        assertNotNull(w.refused("mallory", "not authorised", "GET /persons", T0));
        assertNotNull(w.refused("eve", "not authorised", "GET /persons", T0));
        assertNotNull(w.refused("mallory", "authentication failed", "GET /persons", T0));
        assertNull(w.refused("eve", "not authorised", "GET /persons", T0));
        List<DenialWindows.Denial> closed = w.close();
        assertEquals(1, closed.size());
        assertEquals("eve", closed.get(0).actor());
    }

    @Test
    void oneCallerTryingManyPathsIsOneCallerAndCannotCrowdOutOthers() {
        DenialWindows w = new DenialWindows(3);
        assertNotNull(w.refused("mallory", "not authorised", "GET /persons/0", T0));
        for (int i = 1; i < 1000; i++) {
            assertNull(w.refused("mallory", "not authorised", "GET /persons/" + i, T0.plusMillis(i)));
        }
        // the window still tells others apart
        DenialWindows.Denial eve = w.refused("eve", "not authorised", "GET /persons/1", T0);
        assertEquals("eve", eve.actor());
        List<DenialWindows.Denial> closed = w.close();
        assertEquals(1, closed.size());
        assertEquals("not authorised GET /persons/0 (repeated 999 times since 2026-11-28T10:00:00Z, any path)",
                DenialWindows.detail(closed.get(0)));
    }

    @Test
    void beyondTheCallersToldApartEverythingElseIsFoldedIntoOneSoAWindowStaysBounded() {
        DenialWindows w = new DenialWindows(3);
        int recorded = 0;
        for (int i = 0; i < 10_000; i++) {
            if (w.refused("caller-" + i, "not authorised", "GET /persons/" + i, T0) != null) {
                recorded++;
            }
        }
        assertEquals(4, recorded, "three callers, then one event for all the others");
        List<DenialWindows.Denial> closed = w.close();
        assertEquals(1, closed.size());
        assertEquals(DenialWindows.SEVERAL, closed.get(0).actor());
        assertEquals(10_000 - 4, closed.get(0).repeats());
    }
}
