package org.recordline.index.domain.matching;

import java.util.ArrayList;
import java.util.HashMap;
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

    /**
     * A candidate pair, its comparison vector, its score and its identity score (the names, birth date, sex and
     * identifiers alone, {@link MatchModel#identity}).
     */
    public record ScoredPair(int left, int right, int[] vector, double score, double identity) {
    }

    /** Blocks larger than this are skipped by default: a key shared by so many records tells nothing. */
    public static final int MAX_BLOCK = 200;

    /** What a run found: the model estimated, every candidate pair scored, and the names' frequencies. */
    public record Result(MatchModel model, List<ScoredPair> candidates, TermFrequencies frequencies) {

        /**
         * The pairs the index would link: score at or above {@code threshold}, identity score at or above
         * {@code identityFloor}, and a birth date that agrees or is corroborated
         * ({@link MatchModel#birthDateCorroborated}).
         */
        public List<ScoredPair> linked(double threshold, double identityFloor) {
            return candidates.stream().filter(p -> p.score() >= threshold && p.identity() >= identityFloor
                    && MatchModel.birthDateCorroborated(p.vector())).toList();
        }
    }

    /**
     * A model estimated from records: the model, how many pairs it was estimated from, and the names' frequencies.
     */
    public record Estimate(MatchModel model, long pairs, TermFrequencies frequencies) {
    }

    private final PairComparator comparator = new PairComparator();

    /**
     * The records' keys: each distinct stored key numbered, its block (the records storing it) by number and by text,
     * each record's stored keys as sorted numbers, and per probe key the records probing with it.
     */
    private record Blocks(List<List<Integer>> blocks, Map<String, Integer> numbers, int[][] keysOf,
                          Map<String, List<Integer>> probing, TermFrequencies tf) {

        List<Integer> storing(String key) {
            Integer n = numbers.get(key);
            return n == null ? List.of() : blocks.get(n);
        }
    }

    private static Blocks blocks(List<Demographics> records) {
        TermFrequencies tf = new TermFrequencies();
        Map<String, Integer> numbers = new HashMap<>();
        List<List<Integer>> blocks = new ArrayList<>();
        Map<String, List<Integer>> probing = new HashMap<>();
        int[][] keysOf = new int[records.size()][];
        for (int i = 0; i < records.size(); i++) {
            tf.add(records.get(i));
            Blocking.Keys keys = Blocking.of(records.get(i));
            int[] mine = new int[keys.stored().size()];
            int j = 0;
            for (String key : keys.stored()) {
                int n = numbers.computeIfAbsent(key, k -> {
                    blocks.add(new ArrayList<>());
                    return blocks.size() - 1;
                });
                blocks.get(n).add(i);
                mine[j++] = n;
            }
            java.util.Arrays.sort(mine);
            keysOf[i] = mine;
            for (String key : keys.probe()) {
                probing.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
        }
        return new Blocks(blocks, numbers, keysOf, probing, tf);
    }

    /**
     * Blocks, compares and scores {@code records} as the index would (a pair is compared when one probes a key the
     * other stores), with the model {@link #estimate estimated} from them.
     *
     * @param maxBlock a blocking key shared by more records than this is skipped (a key everybody shares tells
     *                 nothing and would compare everybody)
     */
    public Result run(List<Demographics> records, int maxBlock) {
        Blocks b = blocks(records);
        MatchModel model = estimate(records, b, maxBlock).model();
        Set<Long> compared = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, List<Integer>> e : b.probing().entrySet()) {
            List<Integer> block = b.storing(e.getKey());
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
        List<ScoredPair> scored = new ArrayList<>(compared.size());
        for (long p : compared) {
            int x = (int) (p >>> 32);
            int y = (int) p;
            int[] v = comparator.compare(records.get(x), records.get(y));
            scored.add(new ScoredPair(x, y, v, score(model, v, records.get(x), b.tf()),
                    model.identity(v, records.get(x), b.tf()::frequency)));
        }
        return new Result(model, scored, b.tf());
    }

    /**
     * Estimates the model by EM from every pair of {@code records} sharing a stored key (in blocks of at most {@code
     * maxBlock}), the birth date alone and the names alone included: a wider sample of non-matches than the narrow
     * probe keys bring together, which would teach EM that non-matches usually share an initial. Each pair is counted
     * once (under the first key both records store, keys numbered as first seen) and the pairs are folded into their
     * distinct comparison vectors, so memory grows with the records, not the pairs.
     */
    public Estimate estimate(List<Demographics> records, int maxBlock) {
        return estimate(records, blocks(records), maxBlock);
    }

    private Estimate estimate(List<Demographics> records, Blocks b, int maxBlock) {
        Map<List<Integer>, long[]> patterns = new HashMap<>();
        long pairs = 0;
        for (int k = 0; k < b.blocks().size(); k++) {
            List<Integer> block = b.blocks().get(k);
            if (block.size() > maxBlock) {
                continue;
            }
            for (int i = 0; i < block.size(); i++) {
                for (int j = i + 1; j < block.size(); j++) {
                    int x = block.get(i);
                    int y = block.get(j);
                    if (firstSharedKey(b, x, y, maxBlock) != k) {
                        continue;
                    }
                    int[] v = comparator.compare(records.get(x), records.get(y));
                    List<Integer> key = new ArrayList<>(v.length);
                    for (int level : v) {
                        key.add(level);
                    }
                    patterns.computeIfAbsent(key, z -> new long[1])[0]++;
                    pairs++;
                }
            }
        }
        List<int[]> vectors = new ArrayList<>(patterns.size());
        long[] counts = new long[patterns.size()];
        int n = 0;
        for (Map.Entry<List<Integer>, long[]> p : patterns.entrySet()) {
            vectors.add(p.getKey().stream().mapToInt(Integer::intValue).toArray());
            counts[n++] = p.getValue()[0];
        }
        return new Estimate(EmEstimator.estimate(vectors, counts, MatchModel.startingPoint(0.1), 200), pairs,
                b.tf());
    }

    /** The first key (by number, of blocks within the limit) both x and y store; -1 when none. */
    private static int firstSharedKey(Blocks b, int x, int y, int maxBlock) {
        int[] a = b.keysOf()[x];
        int[] c = b.keysOf()[y];
        int i = 0;
        int j = 0;
        while (i < a.length && j < c.length) {
            if (a[i] < c[j]) {
                i++;
            } else if (a[i] > c[j]) {
                j++;
            } else {
                if (b.blocks().get(a[i]).size() <= maxBlock) {
                    return a[i];
                }
                i++;
                j++;
            }
        }
        return -1;
    }

    private static long pair(int x, int y) {
        return ((long) Math.min(x, y) << 32) | Math.max(x, y);
    }

    /** The pair's score, names weighed by their rarity when they agree exactly. */
    static double score(MatchModel model, int[] vector, Demographics a, TermFrequencies tf) {
        return model.score(vector, a, tf::frequency);
    }
}
