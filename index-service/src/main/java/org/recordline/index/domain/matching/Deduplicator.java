package org.recordline.index.domain.matching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the pairs of records of one person in a set of records: blocking, comparison, a model estimated by EM from
 * the pairs sharing any stored key (a wider sample than the index compares), and a score per pair the index would
 * compare (one probes a key the other stores), with term-frequency adjustment on names. Used to measure the
 * matcher (FEBRL) and to re-estimate the model from the index's own data.
 */
public final class Deduplicator {

    /** A candidate pair, its comparison vector and its score. */
    public record ScoredPair(int left, int right, int[] vector, double score) {
    }

    /** Blocks larger than this are skipped by default: a key shared by so many records tells nothing. */
    public static final int MAX_BLOCK = 200;

    /** What a run found: the model estimated, every candidate pair scored, and the names' frequencies. */
    public record Result(MatchModel model, List<ScoredPair> candidates, TermFrequencies frequencies) {

        /** The pairs whose score reaches {@code threshold}. */
        public List<ScoredPair> above(double threshold) {
            return candidates.stream().filter(p -> p.score() >= threshold).toList();
        }
    }

    private final PairComparator comparator = new PairComparator();

    /**
     * Blocks, compares and scores {@code records}, estimating the model by EM from every pair sharing a stored key.
     *
     * @param maxBlock a blocking key shared by more records than this is skipped (a key everybody shares tells
     *                 nothing and would compare everybody)
     */
    public Result run(List<Demographics> records, int maxBlock) {
        TermFrequencies tf = new TermFrequencies();
        // per key, the records storing it and the records probing with it: a pair is compared when one probes a
        // key the other stores (the index's own rule, Blocking)
        Map<String, List<Integer>> stored = new HashMap<>();
        Map<String, List<Integer>> probing = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            tf.add(records.get(i));
            Blocking.Keys keys = Blocking.of(records.get(i));
            for (String key : keys.stored()) {
                stored.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
            for (String key : keys.probe()) {
                probing.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
        }
        // the pairs the index compares: one probes a key the other stores
        Set<Long> compared = new HashSet<>();
        for (Map.Entry<String, List<Integer>> e : probing.entrySet()) {
            List<Integer> block = stored.getOrDefault(e.getKey(), List.of());
            if (block.size() > maxBlock) {
                continue;
            }
            for (int x : e.getValue()) {
                for (int y : block) {
                    if (x != y) {
                        compared.add(pair(x, y));
                    }
                }
            }
        }
        // the pairs the model is estimated from: those and every pair sharing a stored key (the birth date alone, the
        // names alone), so that the non-matches EM sees are not only the near misses narrow keys bring together; an
        // estimate from the compared pairs alone would learn, say, that non-matches usually share an initial
        Set<Long> estimated = new java.util.LinkedHashSet<>(compared);
        for (List<Integer> block : stored.values()) {
            if (block.size() > maxBlock) {
                continue;
            }
            for (int x = 0; x < block.size(); x++) {
                for (int y = x + 1; y < block.size(); y++) {
                    if (!block.get(x).equals(block.get(y))) {
                        estimated.add(pair(block.get(x), block.get(y)));
                    }
                }
            }
        }
        List<int[]> vectors = new ArrayList<>(estimated.size());
        List<ScoredPair> scored = new ArrayList<>(compared.size());
        for (long p : estimated) {
            vectors.add(comparator.compare(records.get((int) (p >>> 32)), records.get((int) p)));
        }
        MatchModel model = EmEstimator.estimate(vectors, MatchModel.startingPoint(0.1), 200);
        int i = 0;
        for (long p : estimated) {
            int[] v = vectors.get(i++);
            if (compared.contains(p)) {
                int a = (int) (p >>> 32);
                scored.add(new ScoredPair(a, (int) p, v, score(model, v, records.get(a), tf)));
            }
        }
        return new Result(model, scored, tf);
    }

    private static long pair(int x, int y) {
        return ((long) Math.min(x, y) << 32) | Math.max(x, y);
    }

    /** The pair's score, names weighed by their rarity when they agree exactly. */
    static double score(MatchModel model, int[] vector, Demographics a, TermFrequencies tf) {
        return model.score(vector, a, tf::frequency);
    }
}
