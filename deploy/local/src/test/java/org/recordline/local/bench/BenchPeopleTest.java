package org.recordline.local.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark's generated people are distinct: every number gets its own name and a valid birth date. */
class BenchPeopleTest {

    @Test
    void everyNumberHasItsOwnNameAndAValidBirthDate() {
        Set<String> names = new HashSet<>();
        for (int n = 0; n < 50_000; n++) {
            names.add(PipelineBenchmark.People.name(n));
            java.time.LocalDate.parse(PipelineBenchmark.People.birthDate(n));
        }
        assertEquals(50_000, names.size());
    }

    @Test
    void aSmallPatientAndABundleAreRewrittenToTheirPerson() {
        String template = "{\"resourceType\":\"Patient\",\"id\":\"pat-complete-1\",\"identifier\":[{\"value\":"
                + "\"MRN-100001\"}],\"name\":[{\"family\":\"Testperson\",\"given\":[\"Alex\"]}],"
                + "\"birthDate\":\"1980-04-12\"}";
        String small = PipelineBenchmark.People.small(template, "bench-", 7);
        assertTrue(small.contains("\"bench-7\"") && small.contains("\"BENCH-7\""), small);
        assertFalse(small.contains("Testperson") || small.contains("\"Alex\"") || small.contains("1980-04-12"));
        String bundle = "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\","
                + "\"name\":[{\"family\":\"Kuhic920\",\"given\":[\"Sang383\"]}],\"birthDate\":\"1977-05-16\"}},"
                + "{\"resource\":{\"resourceType\":\"Encounter\",\"subject\":{\"display\":\"Sang383 Kuhic920\"}}}]}";
        String renamed = PipelineBenchmark.People.renamed(bundle, 3);
        assertFalse(renamed.contains("\"Kuhic920\"") || renamed.contains("\"1977-05-16\""), renamed);
        assertTrue(renamed.contains("\"" + PipelineBenchmark.People.name(3) + "\""));
    }
}
