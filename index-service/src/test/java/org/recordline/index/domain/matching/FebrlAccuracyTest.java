package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.SharedData;

/**
 * The matcher on the FEBRL data sets under {@code -Drecordline.shared-data}/febrl, as a deduplication task: every
 * {@code NAME.csv} with a {@code NAME_true_pairs.csv} beside it, whatever its size. The true pairs only score the
 * result: the model is estimated by EM from the candidate pairs, unlabelled (as {@code POST /match-model/estimate}
 * does from the index's records), and pairs at or above the index's default upper threshold and identity floor are
 * linked. Records linked directly or through others are one person, so the pairs scored are those within each
 * resulting person. Prints one line per data set,
 * e.g. {@code FEBRL dataset1: precision=0.998 recall=0.994 F1=0.996 pairs=500}, and fails below floors set from the
 * measured results (docs/benchmarks.md).
 */
class FebrlAccuracyTest {

    /** Floors, a little under what the matcher measured on the shared data sets. */
    private static final double F1_FLOOR = 0.97;


    record Scores(double precision, double recall, double f1, int truePairs) {
    }

    @Test
    void everyDataSetIsDeduplicatedAboveTheFloor() throws IOException {
        Path folder = SharedData.root().resolve("febrl");
        List<Path> sets;
        try (Stream<Path> files = Files.list(folder)) {
            sets = files.filter(p -> p.getFileName().toString().endsWith(".csv")
                    && !p.getFileName().toString().endsWith("_true_pairs.csv"))
                    .filter(p -> Files.exists(truthOf(p))).sorted().toList();
        }
        assertFalse(sets.isEmpty(), "no FEBRL data set with true pairs under " + folder);
        for (Path set : sets) {
            String name = set.getFileName().toString().replace(".csv", "");
            Scores s = score(set);
            System.out.println(String.format(Locale.ROOT, "FEBRL %s: precision=%.3f recall=%.3f F1=%.3f pairs=%d",
                    name, s.precision(), s.recall(), s.f1(), s.truePairs()));
            assertTrue(s.f1() >= F1_FLOOR, name + ": F1 " + s.f1() + " under the floor " + F1_FLOOR);
        }
    }

    private static Path truthOf(Path set) {
        return set.resolveSibling(set.getFileName().toString().replace(".csv", "_true_pairs.csv"));
    }

    static Scores score(Path set) {
        List<String> ids = new ArrayList<>();
        List<Demographics> records = read(set, ids);
        Deduplicator.Result result = new Deduplicator().run(records, Deduplicator.MAX_BLOCK);
        // linked as the index links: at or above its default upper threshold and identity floor, with the model
        // estimated from the data
        List<Deduplicator.ScoredPair> links = result.linked(PersonMatcher.DEFAULT_UPPER_THRESHOLD,
                PersonMatcher.DEFAULT_IDENTITY_FLOOR);
        Set<String> predicted = pairsWithinPersons(links, ids);
        Set<String> truth = new HashSet<>();
        List<String[]> truthRows = rows(truthOf(set));
        for (String[] row : truthRows.subList(1, truthRows.size())) { // after the header
            truth.add(pair(row[0], row[1]));
        }
        int hit = 0;
        for (String p : predicted) {
            hit += truth.contains(p) ? 1 : 0;
        }
        double precision = predicted.isEmpty() ? 0 : (double) hit / predicted.size();
        double recall = truth.isEmpty() ? 0 : (double) hit / truth.size();
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new Scores(precision, recall, f1, truth.size());
    }

    /** Every pair of records that end up under one person (connected through links). */
    static Set<String> pairsWithinPersons(List<Deduplicator.ScoredPair> links, List<String> ids) {
        int[] parent = new int[ids.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (Deduplicator.ScoredPair l : links) {
            parent[find(parent, l.left())] = find(parent, l.right());
        }
        Map<Integer, List<Integer>> persons = new HashMap<>();
        for (int i = 0; i < parent.length; i++) {
            persons.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
        }
        Set<String> pairs = new HashSet<>();
        for (List<Integer> members : persons.values()) {
            for (int x = 0; x < members.size(); x++) {
                for (int y = x + 1; y < members.size(); y++) {
                    pairs.add(pair(ids.get(members.get(x)), ids.get(members.get(y))));
                }
            }
        }
        return pairs;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static String pair(String a, String b) {
        return a.compareTo(b) < 0 ? a + "," + b : b + "," + a;
    }

    /** FEBRL's columns, by header name: any order, any size. */
    static List<Demographics> read(Path set, List<String> ids) {
        List<String[]> rows = rows(set);
        String[] header = rows.get(0);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            col.put(header[i], i);
        }
        List<Demographics> out = new ArrayList<>();
        for (String[] r : rows.subList(1, rows.size())) {
            ids.add(get(r, col, "rec_id"));
            String dob = get(r, col, "date_of_birth");
            String number = get(r, col, "street_number");
            String street = get(r, col, "address_1");
            String address = number == null ? street : street == null ? number : number + " " + street;
            out.add(new Demographics(get(r, col, "given_name"), get(r, col, "surname"), dob, null, address,
                    get(r, col, "suburb"), get(r, col, "postcode"), get(r, col, "state"), null,
                    get(r, col, "soc_sec_id"), List.of()));
        }
        return out;
    }

    private static String get(String[] row, Map<String, Integer> col, String name) {
        Integer i = col.get(name);
        if (i == null || i >= row.length) {
            return null;
        }
        String v = row[i].strip();
        return v.isEmpty() ? null : v;
    }

    private static List<String[]> rows(Path csv) {
        try {
            List<String[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(csv)) {
                if (!line.isBlank()) {
                    String[] cells = line.split(",", -1);
                    for (int i = 0; i < cells.length; i++) {
                        cells[i] = cells[i].strip();
                    }
                    out.add(cells);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
