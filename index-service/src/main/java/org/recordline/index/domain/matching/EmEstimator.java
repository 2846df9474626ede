package org.recordline.index.domain.matching;

import java.util.List;

/**
 * Estimates a {@link MatchModel} from the comparison vectors of candidate pairs by expectation-maximisation, with no
 * labelled pairs: the data say how often each level occurs among matches and among non-matches, assuming the fields
 * are independent given the match status (Fellegi-Sunter). A missing field takes no part.
 */
public final class EmEstimator {

    private EmEstimator() {
    }

    /**
     * Runs EM from {@code start} until the prior moves less than {@code 1e-7} or {@code maxIterations} pass.
     *
     * @param vectors comparison vectors of the candidate pairs (from blocking)
     */
    public static MatchModel estimate(List<int[]> vectors, MatchModel start, int maxIterations) {
        long[] once = new long[vectors.size()];
        java.util.Arrays.fill(once, 1);
        return estimate(vectors, once, start, maxIterations);
    }

    /**
     * Runs EM over distinct comparison vectors, each standing for {@code counts[i]} pairs: the same estimate as over
     * the pairs one by one, in time and memory that grow with the few thousand distinct vectors, not the pairs.
     *
     * @param vectors distinct comparison vectors
     * @param counts  how many pairs had each
     */
    public static MatchModel estimate(List<int[]> vectors, long[] counts, MatchModel start, int maxIterations) {
        if (vectors.isEmpty()) {
            return start;
        }
        double pairs = 0;
        for (long n : counts) {
            pairs += n;
        }
        int fields = Field.values().length;
        double[][] m = copy(start.m());
        double[][] u = copy(start.u());
        double prior = start.prior();
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[][] mSum = zeros();
            double[][] uSum = zeros();
            double[] mTotal = new double[fields];
            double[] uTotal = new double[fields];
            double matches = 0;
            for (int i = 0; i < vectors.size(); i++) {
                int[] v = vectors.get(i);
                double n = counts[i];
                // E: the probability that this pair is a match, under the current model (in log space)
                double logMatch = Math.log(prior);
                double logNon = Math.log(1 - prior);
                for (int f = 0; f < fields; f++) {
                    if (v[f] != Field.MISSING) {
                        logMatch += Math.log(MatchModel.clamp(m[f][v[f]]));
                        logNon += Math.log(MatchModel.clamp(u[f][v[f]]));
                    }
                }
                double p = 1 / (1 + Math.exp(logNon - logMatch));
                double g = n * p;
                double h = n * (1 - p);
                matches += g;
                for (int f = 0; f < fields; f++) {
                    if (v[f] != Field.MISSING) {
                        mSum[f][v[f]] += g;
                        uSum[f][v[f]] += h;
                        mTotal[f] += g;
                        uTotal[f] += h;
                    }
                }
            }
            // M: the shares of each level among the expected matches and non-matches
            for (int f = 0; f < fields; f++) {
                for (int level = 0; level < m[f].length; level++) {
                    if (mTotal[f] > 0) {
                        m[f][level] = MatchModel.clamp(mSum[f][level] / mTotal[f]);
                    }
                    if (uTotal[f] > 0) {
                        u[f][level] = MatchModel.clamp(uSum[f][level] / uTotal[f]);
                    }
                }
            }
            double next = Math.min(1 - MatchModel.FLOOR, Math.max(MatchModel.FLOOR, matches / pairs));
            boolean settled = Math.abs(next - prior) < 1e-7;
            prior = next;
            if (settled) {
                break;
            }
        }
        return new MatchModel(m, u, prior);
    }

    private static double[][] zeros() {
        double[][] z = new double[Field.values().length][];
        for (Field f : Field.values()) {
            z[f.ordinal()] = new double[f.size()];
        }
        return z;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
