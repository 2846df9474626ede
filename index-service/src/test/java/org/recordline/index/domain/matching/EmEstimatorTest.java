package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** EM recovers the m and u probabilities and the prior that generated a set of comparison vectors. */
class EmEstimatorTest {

    @Test
    void recoversTheParametersThatGeneratedTheVectors() {
        // the truth: 20% matches; among matches most fields agree exactly; among non-matches most disagree
        MatchModel truth = MatchModel.startingPoint(0.2);
        for (Field f : Field.values()) {
            int k = f.size();
            for (int level = 0; level < k; level++) {
                truth.m()[f.ordinal()][level] = level == 0 ? 0.85 : 0.15 / (k - 1);
                truth.u()[f.ordinal()][level] = level == k - 1 ? 0.7 : 0.3 / (k - 1);
            }
        }
        Random random = new Random(42);
        List<int[]> vectors = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            boolean match = random.nextDouble() < truth.prior();
            int[] v = new int[Field.values().length];
            for (Field f : Field.values()) {
                double[] p = (match ? truth.m() : truth.u())[f.ordinal()];
                // one field in ten is missing, at random
                v[f.ordinal()] = random.nextDouble() < 0.1 ? Field.MISSING : draw(p, random);
            }
            vectors.add(v);
        }
        MatchModel estimated = EmEstimator.estimate(vectors, MatchModel.startingPoint(0.5), 500);
        assertEquals(0.2, estimated.prior(), 0.01);
        // the same pairs folded into their distinct vectors with counts give the same estimate
        java.util.Map<List<Integer>, long[]> folded = new java.util.LinkedHashMap<>();
        for (int[] v : vectors) {
            folded.computeIfAbsent(java.util.Arrays.stream(v).boxed().toList(), k -> new long[1])[0]++;
        }
        assertTrue(folded.size() < vectors.size(), "some vectors repeat: " + folded.size());
        List<int[]> distinct = new ArrayList<>();
        long[] counts = new long[folded.size()];
        folded.forEach((v, n) -> {
            counts[distinct.size()] = n[0];
            distinct.add(v.stream().mapToInt(Integer::intValue).toArray());
        });
        MatchModel fromFolded = EmEstimator.estimate(distinct, counts, MatchModel.startingPoint(0.5), 500);
        assertEquals(estimated.prior(), fromFolded.prior(), 1e-9);
        for (Field f : Field.values()) {
            for (int level = 0; level < f.size(); level++) {
                assertEquals(estimated.m()[f.ordinal()][level], fromFolded.m()[f.ordinal()][level], 1e-9);
                assertEquals(estimated.u()[f.ordinal()][level], fromFolded.u()[f.ordinal()][level], 1e-9);
            }
        }
        for (Field f : Field.values()) {
            for (int level = 0; level < f.size(); level++) {
                assertEquals(truth.m()[f.ordinal()][level], estimated.m()[f.ordinal()][level], 0.02, f + " m " + level);
                assertEquals(truth.u()[f.ordinal()][level], estimated.u()[f.ordinal()][level], 0.02, f + " u " + level);
            }
        }
        // weights: log2(0.85 / (0.3 / 4)) = 3.50 for an exact given name
        assertEquals(Math.log(0.85 / (0.3 / 4)) / Math.log(2), estimated.weight(Field.GIVEN, 0), 0.15);
        assertTrue(estimated.weight(Field.GIVEN, Field.GIVEN.different()) < 0);
        assertEquals(0, estimated.weight(Field.GIVEN, Field.MISSING));
    }

    @Test
    void aRareNameWeighsMoreThanACommonOne() {
        MatchModel model = MatchModel.startingPoint(0.1);
        assertTrue(model.weight(Field.FAMILY, 0, 0.0001) > model.weight(Field.FAMILY, 0, 0.05));
        // log2(0.9 / 0.05)
        assertEquals(Math.log(0.9 / 0.05) / Math.log(2), model.weight(Field.FAMILY, 0, 0.05), 1e-9);
        assertEquals(Math.log((1 - 0.1) / 0.1) / Math.log(2), model.evenOdds(), 1e-9);
    }

    private static int draw(double[] p, Random random) {
        double x = random.nextDouble();
        for (int i = 0; i < p.length; i++) {
            x -= p[i];
            if (x < 0) {
                return i;
            }
        }
        return p.length - 1;
    }
}
