package org.recordline.validation.review;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.recordline.validation.rules.RulePack;

/**
 * Reviews the submissions of one poll on several threads and hands the outcomes back in the poll's order, so that
 * the consumer still routes them, writes them and commits them as one transaction, in order. A review is pure (no
 * database, no broker), so nothing but the CPU is shared. With one thread, or one submission, it reviews on the
 * caller's thread.
 */
public final class ParallelReview implements AutoCloseable {

    /** One submission to review. */
    public record Request(String sourceSystem, String document) {
    }

    private final Review review;
    private final int threads;
    private final ExecutorService pool;

    /**
     * @param threads how many submissions are reviewed at once; 1 reviews on the caller's thread only
     */
    public ParallelReview(Review review, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("review threads must be at least 1, got " + threads);
        }
        this.review = review;
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        // the caller reviews too, so the pool needs one thread fewer than the parallelism asked for
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "review-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The outcome of each request, in the requests' order. */
    public List<Review.Outcome> reviewAll(List<Request> requests, List<RulePack> packs) {
        if (pool == null || requests.size() < 2) {
            List<Review.Outcome> out = new ArrayList<>(requests.size());
            requests.forEach(r -> out.add(review.review(r.sourceSystem(), r.document(), packs, Instant.now())));
            return out;
        }
        // work is taken from a shared counter: a large bundle on one thread does not hold up the small ones
        Review.Outcome[] out = new Review.Outcome[requests.size()];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < requests.size(); ) {
                Request r = requests.get(i);
                out[i] = review.review(r.sourceSystem(), r.document(), packs, Instant.now());
            }
        };
        List<Future<?>> helpers = new ArrayList<>(threads - 1);
        for (int t = 1; t < Math.min(threads, requests.size()); t++) {
            helpers.add(pool.submit(worker));
        }
        worker.run();
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reviewing a poll", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return List.of(out);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
