package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9162 Merkle trees: known-answer vectors from Certificate Transparency's own tests (not computed by this code),
 * and every proof of every small tree checked both ways (a valid proof verifies; a changed hash, size or position
 * does not).
 */
class MerkleTreeTest {

    /** The eight leaves of the Certificate Transparency test trees (hex). */
    private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f"};

    /**
     * The roots of the trees of the first 1 to 8 of {@link #LEAVES}, as Certificate Transparency's own tests list them
     * (certificate-transparency-go, merkle tree tests; the same in transparency-dev/merkle's test constants).
     */
    private static final String[] ROOTS = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

    @Test
    void theRootsOfCertificateTransparencysTestTrees() {
        List<byte[]> leaves = leafHashes(8);
        MerkleTree.Frontier frontier = new MerkleTree.Frontier();
        for (int n = 1; n <= 8; n++) {
            frontier.append(leaves.get(n - 1));
            assertEquals(ROOTS[n - 1], MerkleTree.hex(MerkleTree.root(MerkleTree.Leaves.of(leaves), n)), "size " + n);
            assertEquals(ROOTS[n - 1], MerkleTree.hex(frontier.root()), "frontier at size " + n);
        }
    }

    private static List<byte[]> leafHashes(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(MerkleTree.leafHash(MerkleTree.unhex(LEAVES[i % LEAVES.length] + (i < LEAVES.length ? ""
                    : String.format("%08x", i)))));
        }
        return out;
    }

    private static List<byte[]> hexes(String... hex) {
        return java.util.Arrays.stream(hex).map(MerkleTree::unhex).toList();
    }

    @Test
    void theEmptyTreesRootIsTheHashOfNothing() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                MerkleTree.hex(MerkleTree.EMPTY_ROOT));
        assertEquals(MerkleTree.hex(MerkleTree.EMPTY_ROOT),
                MerkleTree.hex(MerkleTree.root(MerkleTree.Leaves.of(List.of()), 0)));
        assertEquals(MerkleTree.hex(MerkleTree.EMPTY_ROOT), MerkleTree.hex(new MerkleTree.Frontier().root()));
    }

    @Test
    void inclusionProofsOfCertificateTransparencysTestTrees() {
        // (leaf index, tree size, path) as listed in transparency-dev/merkle proof/verify_test.go (1-based there)
        Object[][] cases = {
            {0, 1, hexes()},
            {0, 8, hexes("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
            {5, 8, hexes("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
            {2, 3, hexes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")},
            {1, 5, hexes("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}};
        List<byte[]> leaves = leafHashes(8);
        for (Object[] c : cases) {
            int index = (int) c[0];
            int size = (int) c[1];
            @SuppressWarnings("unchecked")
            List<byte[]> expected = (List<byte[]>) c[2];
            List<byte[]> proof = MerkleTree.inclusionProof(MerkleTree.Leaves.of(leaves), index, size);
            assertEquals(expected.stream().map(MerkleTree::hex).toList(), proof.stream().map(MerkleTree::hex).toList(),
                    index + " in " + size);
            assertTrue(MerkleTree.verifyInclusion(index, size, leaves.get(index), expected,
                    MerkleTree.unhex(ROOTS[size - 1])));
        }
    }

    @Test
    void consistencyProofsOfCertificateTransparencysTestTrees() {
        // (first size, second size, proof) as listed in transparency-dev/merkle proof/verify_test.go
        Object[][] cases = {
            {1, 1, hexes()},
            {1, 8, hexes("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
            {6, 8, hexes("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
            {2, 5, hexes("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")},
            {6, 7, hexes("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}};
        List<byte[]> leaves = leafHashes(8);
        for (Object[] c : cases) {
            int first = (int) c[0];
            int second = (int) c[1];
            @SuppressWarnings("unchecked")
            List<byte[]> expected = (List<byte[]>) c[2];
            List<byte[]> proof = MerkleTree.consistencyProof(MerkleTree.Leaves.of(leaves), first, second);
            assertEquals(expected.stream().map(MerkleTree::hex).toList(), proof.stream().map(MerkleTree::hex).toList(),
                    first + " to " + second);
            assertTrue(MerkleTree.verifyConsistency(first, second, MerkleTree.unhex(ROOTS[first - 1]),
                    MerkleTree.unhex(ROOTS[second - 1]), expected));
        }
    }

    @Test
    void theFrontierGivesTheRootAtEverySizeAndSurvivesBeingStored() {
        List<byte[]> leaves = leafHashes(70);
        MerkleTree.Frontier frontier = new MerkleTree.Frontier();
        for (int n = 1; n <= leaves.size(); n++) {
            frontier.append(leaves.get(n - 1));
            byte[] expected = MerkleTree.root(MerkleTree.Leaves.of(leaves), n);
            assertArrayEquals(expected, frontier.root(), "size " + n);
            MerkleTree.Frontier stored = new MerkleTree.Frontier(frontier.size(), frontier.subtrees());
            assertArrayEquals(expected, stored.root(), "size " + n + " after storing");
        }
        assertThrows(IllegalArgumentException.class, () -> new MerkleTree.Frontier(3, List.of(new byte[32])));
    }

    @Test
    void theFrontierHandsOverEachCompletedBlockAndKnownBlocksGiveTheSameRootsAndProofs() {
        List<byte[]> leaves = leafHashes(70);
        for (int bits = 0; bits <= 3; bits++) {
            int block = 1 << bits;
            MerkleTree.Frontier frontier = new MerkleTree.Frontier();
            java.util.Map<Long, byte[]> blocks = new java.util.HashMap<>();
            for (int n = 1; n <= leaves.size(); n++) {
                byte[] done = frontier.append(leaves.get(n - 1), bits);
                if (n % block == 0) {
                    // the block's root, as the leaves give it
                    List<byte[]> its = leaves.subList(n - block, n);
                    assertArrayEquals(MerkleTree.root(MerkleTree.Leaves.of(its), block), done, "block ending " + n);
                    blocks.put((long) (n - block), done);
                } else {
                    assertEquals(null, done, "no block ends at " + n);
                }
            }
            // leaves that answer only inside the blocks the proofs cannot do without: a wrong block hash would show
            java.util.Set<Long> asked = new java.util.HashSet<>();
            MerkleTree.Leaves known = new MerkleTree.Leaves() {
                @Override
                public byte[] hash(long i) {
                    asked.add(i);
                    return leaves.get((int) i);
                }

                @Override
                public byte[] subtree(long from, long to) {
                    return to - from == block ? blocks.get(from) : null;
                }
            };
            MerkleTree.Leaves plain = MerkleTree.Leaves.of(leaves);
            for (int n = 1; n <= leaves.size(); n++) {
                assertArrayEquals(MerkleTree.root(plain, n), MerkleTree.root(known, n), "root " + n);
                for (int m = 0; m < n; m += 7) {
                    assertEquals(hexes(MerkleTree.inclusionProof(plain, m, n)),
                            hexes(MerkleTree.inclusionProof(known, m, n)), "inclusion " + m + " in " + n);
                }
                for (int f = 1; f <= n; f += 5) {
                    assertEquals(hexes(MerkleTree.consistencyProof(plain, f, n)),
                            hexes(MerkleTree.consistencyProof(known, f, n)), "consistency " + f + " to " + n);
                }
            }
            asked.clear();
            MerkleTree.root(known, 64);
            assertTrue(bits == 0 || asked.isEmpty(), "a tree of whole blocks needs no leaf: " + asked);
        }
    }

    private static List<String> hexes(List<byte[]> hashes) {
        return hashes.stream().map(MerkleTree::hex).toList();
    }

    @Test
    void everyInclusionProofOfEverySmallTreeVerifiesAndNothingElseDoes() {
        List<byte[]> leaves = leafHashes(34);
        MerkleTree.Leaves all = MerkleTree.Leaves.of(leaves);
        for (int size = 1; size < leaves.size(); size++) {
            byte[] root = MerkleTree.root(all, size);
            for (int i = 0; i < size; i++) {
                List<byte[]> proof = MerkleTree.inclusionProof(all, i, size);
                byte[] leaf = leaves.get(i);
                assertTrue(MerkleTree.verifyInclusion(i, size, leaf, proof, root), i + " in " + size);
                // another leaf, another position, another tree's root, a changed or shortened proof: all refused (the
                // size alone is not bound by the path: index 0 has one path in trees of 3 and 4; the root binds it)
                assertFalse(MerkleTree.verifyInclusion(i, size, leaves.get((i + 1) % leaves.size()), proof, root));
                if (size > 1) {
                    assertFalse(MerkleTree.verifyInclusion((i + 1) % size, size, leaf, proof, root));
                }
                assertFalse(MerkleTree.verifyInclusion(i, size, leaf, proof, MerkleTree.root(all, size + 1)));
                for (int p = 0; p < proof.size(); p++) {
                    List<byte[]> changed = new ArrayList<>(proof);
                    byte[] h = changed.get(p).clone();
                    h[0] ^= 1;
                    changed.set(p, h);
                    assertFalse(MerkleTree.verifyInclusion(i, size, leaf, changed, root));
                }
                if (!proof.isEmpty()) {
                    assertFalse(MerkleTree.verifyInclusion(i, size, leaf, proof.subList(0, proof.size() - 1), root));
                }
            }
        }
    }

    @Test
    void everyConsistencyProofOfEverySmallPairVerifiesAndNothingElseDoes() {
        List<byte[]> leaves = leafHashes(33);
        MerkleTree.Leaves all = MerkleTree.Leaves.of(leaves);
        for (int second = 0; second <= leaves.size(); second++) {
            byte[] secondRoot = MerkleTree.root(all, second);
            for (int first = 0; first <= second; first++) {
                byte[] firstRoot = MerkleTree.root(all, first);
                List<byte[]> proof = MerkleTree.consistencyProof(all, first, second);
                assertTrue(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, proof),
                        first + " to " + second);
                if (first > 0 && first < second) {
                    // a first tree with another leaf at its end (history rewritten) is refused
                    List<byte[]> rewritten = new ArrayList<>(leaves.subList(0, first));
                    rewritten.set(first - 1, MerkleTree.leafHash(new byte[] {9, 9}));
                    byte[] forged = MerkleTree.root(MerkleTree.Leaves.of(rewritten), first);
                    assertFalse(MerkleTree.verifyConsistency(first, second, forged, secondRoot, proof));
                    for (int p = 0; p < proof.size(); p++) {
                        List<byte[]> changed = new ArrayList<>(proof);
                        byte[] h = changed.get(p).clone();
                        h[31] ^= 1;
                        changed.set(p, h);
                        assertFalse(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, changed),
                                first + " to " + second + " with hash " + p + " changed");
                    }
                    assertFalse(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, List.of()));
                }
            }
        }
        assertFalse(MerkleTree.verifyConsistency(3, 2, MerkleTree.EMPTY_ROOT, MerkleTree.EMPTY_ROOT, List.of()));
    }
}
