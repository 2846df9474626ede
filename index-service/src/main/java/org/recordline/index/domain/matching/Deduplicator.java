package org.recordline.index.domain.matching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the pairs of records of one person in a set of records: blocking, comparison, a model estimated from the
 * candidate pairs themselves by EM, and a score per pair with term-frequency adjustment on names. Used to measure the
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
     * Blocks, compares and scores {@code records}, estimating the model by EM from the candidate pairs.
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
        Set<Long> seen = new HashSet<>();
        List<int[]> pairs = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : probing.entrySet()) {
            List<Integer> block = stored.getOrDefault(e.getKey(), List.of());
            if (block.size() > maxBlock) {
                continue;
            }
            for (int x : e.getValue()) {
                for (int y : block) {
                    int a = Math.min(x, y);
                    int b = Math.max(x, y);
                    if (a != b && seen.add(((long) a << 32) | b)) {
                        pairs.add(new int[] {a, b});
                    }
                }
            }
        }
        List<int[]> vectors = new ArrayList<>(pairs.size());
        for (int[] p : pairs) {
            vectors.add(comparator.compare(records.get(p[0]), records.get(p[1])));
        }
        MatchModel model = EmEstimator.estimate(vectors, MatchModel.startingPoint(0.1), 200);
        List<ScoredPair> scored = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            int[] p = pairs.get(i);
            scored.add(new ScoredPair(p[0], p[1], vectors.get(i),
                    score(model, vectors.get(i), records.get(p[0]), tf)));
        }
        return new Result(model, scored, tf);
    }

    /** The pair's score, names weighed by their rarity when they agree exactly. */
    static double score(MatchModel model, int[] vector, Demographics a, TermFrequencies tf) {
        return model.score(vector, a, tf::frequency);
    }
}
