package org.recordline.audit.domain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency version 2.0) section 2.1, with SHA-256: a leaf's hash is
 * {@code SHA-256(0x00 || leaf)}, an interior node's {@code SHA-256(0x01 || left || right)} (the prefixes keep leaves
 * and nodes apart), the empty tree's {@code SHA-256()}, and a tree of n leaves splits at the largest power of two
 * below n. Builds roots, inclusion proofs and consistency proofs over a sequence of leaf hashes, and verifies
 * proofs with the algorithms of sections 2.1.3.2 and 2.1.4.2, so that a verifier needs only the hashes it is given.
 * Pure; proofs cost time linear in the leaves they cover.
 */
public final class MerkleTree {

    /** The root of the empty tree: SHA-256 of nothing. */
    public static final byte[] EMPTY_ROOT = newSha256().digest();

    private MerkleTree() {
    }

    /** Leaf hashes by position, {@code 0 <= i < size}. */
    @FunctionalInterface
    public interface Leaves {

        /** The hash of leaf {@code i} ({@link #leafHash} of its data). */
        byte[] hash(long i);

        /**
         * The root of the perfect, aligned subtree of leaves {@code [from, to)} when it is known without its leaves
         * (kept from when it was complete), or null: then it is computed from the leaves. Nothing else asks it.
         */
        default byte[] subtree(long from, long to) {
            return null;
        }

        /** Leaves held in a list. */
        static Leaves of(List<byte[]> hashes) {
            return i -> hashes.get(Math.toIntExact(i));
        }
    }

    /** {@code SHA-256(0x00 || data)}. */
    public static byte[] leafHash(byte[] data) {
        MessageDigest md = sha256();
        md.update((byte) 0);
        md.update(data);
        return md.digest();
    }

    /** {@code SHA-256(0x01 || left || right)}. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = sha256();
        md.update((byte) 1);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** The root (MTH) of the first {@code size} leaves. */
    public static byte[] root(Leaves leaves, long size) {
        requireSize(size);
        return size == 0 ? EMPTY_ROOT.clone() : hash(leaves, 0, size);
    }

    /** The inclusion proof (PATH) of leaf {@code index} in the tree of the first {@code size} leaves. */
    public static List<byte[]> inclusionProof(Leaves leaves, long index, long size) {
        requireSize(size);
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(leaves, index, 0, size, proof);
        return proof;
    }

    /**
     * The consistency proof (PROOF) between the trees of the first {@code first} and the first {@code second} leaves;
     * empty when {@code first} is 0 or equals {@code second}.
     */
    public static List<byte[]> consistencyProof(Leaves leaves, long first, long second) {
        requireSize(first);
        if (first > second) {
            throw new IllegalArgumentException("tree size " + first + " is larger than " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first > 0 && first < second) {
            subproof(leaves, first, 0, second, true, proof);
        }
        return proof;
    }

    /**
     * Whether {@code proof} shows that a leaf with hash {@code leafHash} sits at {@code index} in the tree of
     * {@code size} leaves whose root is {@code root} (RFC 9162 section 2.1.3.2).
     */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * Whether {@code proof} shows that the tree of {@code second} leaves with root {@code secondRoot} extends the
     * tree of {@code first} leaves with root {@code firstRoot} (RFC 9162 section 2.1.4.2; equal sizes need equal
     * roots and an empty proof, and every tree extends the empty one).
     */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot,
                                            List<byte[]> proof) {
        if (first < 0 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (first == 0) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, EMPTY_ROOT);
        }
        if (proof.isEmpty()) {
            return false;
        }
        Deque<byte[]> path = new ArrayDeque<>(proof);
        if (Long.bitCount(first) == 1) {
            path.addFirst(firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.peekFirst();
        byte[] sr = path.pollFirst();
        for (byte[] c : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    /**
     * The tree's right edge: the roots of the perfect subtrees that make up a tree of {@code size} leaves, largest
     * first (one per set bit of the size). Enough to append leaves and know the root at every size without the
     * leaves before: what an appender keeps with its chain head.
     */
    public static final class Frontier {

        private final List<byte[]> subtrees;
        private long size;

        /** The empty tree's frontier. */
        public Frontier() {
            this(0, List.of());
        }

        /**
         * A frontier as stored: {@code subtrees} must hold one hash per set bit of {@code size}, largest subtree
         * first.
         */
        public Frontier(long size, List<byte[]> subtrees) {
            requireSize(size);
            if (subtrees.size() != Long.bitCount(size)) {
                throw new IllegalArgumentException("a tree of " + size + " leaves has " + Long.bitCount(size)
                        + " subtrees on its right edge, not " + subtrees.size());
            }
            this.size = size;
            this.subtrees = new ArrayList<>(subtrees.size() + 1);
            subtrees.forEach(h -> this.subtrees.add(h.clone()));
        }

        /** Appends a leaf by its hash. */
        public void append(byte[] leafHash) {
            append(leafHash, -1);
        }

        /**
         * Appends a leaf by its hash; when that completes an aligned block of {@code 2^blockBits} leaves, returns
         * the block's root (the block is leaves {@code [size - 2^blockBits, size)} after the append), else null.
         */
        public byte[] append(byte[] leafHash, int blockBits) {
            byte[] h = leafHash.clone();
            byte[] block = blockBits == 0 ? h : null;
            int merges = 0;
            for (long s = size; (s & 1) == 1; s >>= 1) {
                h = nodeHash(subtrees.remove(subtrees.size() - 1), h);
                if (++merges == blockBits) {
                    block = h;
                }
            }
            subtrees.add(h);
            size++;
            return block == null ? null : block.clone();
        }

        /** How many leaves. */
        public long size() {
            return size;
        }

        /** The subtrees' roots, largest first (copies). */
        public List<byte[]> subtrees() {
            return subtrees.stream().map(byte[]::clone).toList();
        }

        /** The tree's root. */
        public byte[] root() {
            if (subtrees.isEmpty()) {
                return EMPTY_ROOT.clone();
            }
            byte[] r = subtrees.get(subtrees.size() - 1);
            for (int i = subtrees.size() - 2; i >= 0; i--) {
                r = nodeHash(subtrees.get(i), r);
            }
            return r.clone();
        }
    }

    /** MTH of leaves {@code [from, to)}, {@code to > from}. */
    private static byte[] hash(Leaves leaves, long from, long to) {
        long n = to - from;
        if (n == 1) {
            return leaves.hash(from);
        }
        if (Long.bitCount(n) == 1 && from % n == 0) {
            byte[] known = leaves.subtree(from, to);
            if (known != null) {
                return known;
            }
        }
        long k = split(n);
        return nodeHash(hash(leaves, from, from + k), hash(leaves, from + k, to));
    }

    /** PATH(m, D[from:to]), m relative to {@code from}, appended to {@code out} (leaf side first). */
    private static void path(Leaves leaves, long m, long from, long to, List<byte[]> out) {
        long n = to - from;
        if (n == 1) {
            return;
        }
        long k = split(n);
        if (m < k) {
            path(leaves, m, from, from + k, out);
            out.add(hash(leaves, from + k, to));
        } else {
            path(leaves, m - k, from + k, to, out);
            out.add(hash(leaves, from, from + k));
        }
    }

    /** SUBPROOF(m, D[from:to], whole), appended to {@code out}. */
    private static void subproof(Leaves leaves, long m, long from, long to, boolean whole, List<byte[]> out) {
        long n = to - from;
        if (m == n) {
            if (!whole) {
                out.add(hash(leaves, from, to));
            }
            return;
        }
        long k = split(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, whole, out);
            out.add(hash(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, out);
            out.add(hash(leaves, from, from + k));
        }
    }

    /** The largest power of two smaller than {@code n} ({@code n >= 2}). */
    static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static void requireSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("a tree size cannot be negative: " + size);
        }
    }

    /** One SHA-256 per thread, reused: looking one up costs more than hashing 64 bytes. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(MerkleTree::newSha256);

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This thread's SHA-256, reset (digest() resets it after each use). */
    static MessageDigest sha256() {
        MessageDigest md = SHA256.get();
        md.reset();
        return md;
    }

    /** Lowercase hex of {@code bytes}. */
    public static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** Bytes of lowercase or uppercase {@code hex}. */
    public static byte[] unhex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }
}
