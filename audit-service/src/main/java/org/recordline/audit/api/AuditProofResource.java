package org.recordline.audit.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.recordline.audit.domain.AuditLog;
import org.recordline.audit.domain.Checkpoint;
import org.recordline.audit.domain.LogVerifier;
import org.recordline.audit.domain.CheckpointSigner;
import org.recordline.audit.domain.MerkleTree;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.security.Roles;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The audit log's Merkle tree for auditors: the latest signed checkpoint and the key that verifies it, a checkpoint made
 * now, and inclusion and consistency proofs (RFC 9162) that a verifier checks with the hashes alone. Hashes are hex,
 * signatures and keys base64. Proofs read the kept roots of 1024-leaf blocks and the leaves of the blocks they go into.
 */
@Path("/audit")
@Tag(name = "Checkpoints and proofs")
@RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
@Produces(MediaType.APPLICATION_JSON)
public class AuditProofResource {

    private final AuditLog log;
    private final CheckpointSigner signer;

    public AuditProofResource(AuditLog log, CheckpointSigner signer) {
        this.log = log;
        this.signer = signer;
    }

    /**
     * A signed checkpoint.
     *
     * @param treeSize  entries covered (seq 1 to treeSize)
     * @param rootHash  the Merkle root (hex)
     * @param createdAt when it was made
     * @param keyId     the signing key's id
     * @param signature Ed25519 signature of {@code note} (base64)
     * @param note      the signed text
     */
    public record CheckpointView(long treeSize, String rootHash, Instant createdAt, String keyId, String signature,
                                 String note) {

        static CheckpointView of(Checkpoint c) {
            return new CheckpointView(c.treeSize(), MerkleTree.hex(c.rootHash()), c.createdAt(), c.keyId(),
                    Base64.getEncoder().encodeToString(c.signature()), c.note());
        }
    }

    /**
     * The key that verifies this service's checkpoints. A verifier should hold it from elsewhere (the deployment's
     * key file or Secret); this copy is for convenience and to compare.
     *
     * @param keyId     its id
     * @param algorithm {@code Ed25519}
     * @param publicKey X.509 SubjectPublicKeyInfo, base64
     */
    public record KeyView(String keyId, String algorithm, String publicKey) {
    }

    /**
     * An inclusion proof.
     *
     * @param seq       the entry
     * @param leafIndex its leaf ({@code seq - 1})
     * @param treeSize  the tree it is proved in
     * @param entryHash the entry's chain hash (hex), the leaf's data
     * @param leafHash  {@code SHA-256(0x00 || entryHash)} (hex)
     * @param rootHash  the root of the tree of {@code treeSize} (hex)
     * @param path      the audit path (hex), leaf side first
     */
    public record InclusionView(long seq, long leafIndex, long treeSize, String entryHash, String leafHash,
                                String rootHash, List<String> path) {
    }

    /**
     * A consistency proof.
     *
     * @param first      the smaller tree's size
     * @param second     the larger tree's size
     * @param firstRoot  its root (hex)
     * @param secondRoot the larger tree's root (hex)
     * @param path       the proof (hex)
     */
    public record ConsistencyView(long first, long second, String firstRoot, String secondRoot, List<String> path) {
    }

    @GET
    @Path("/checkpoints/latest")
    @Operation(operationId = "latestCheckpoint", summary = "The latest signed checkpoint")
    @APIResponse(responseCode = "200", description = "The checkpoint.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = CheckpointView.class), examples = @ExampleObject(name = "checkpoint", value = OpenApiInfo.CHECKPOINT)))
    @APIResponse(responseCode = "404", description = "No checkpoint has been made yet.")
    public Response latest() {
        Checkpoint c = log.latestCheckpoint();
        return c == null ? problem(404, "Not Found", "no checkpoint has been made yet", "/audit/checkpoints/latest")
                : Response.ok(CheckpointView.of(c)).build();
    }

    @POST
    @Path("/checkpoints")
    @Operation(operationId = "makeCheckpoint", summary = "Make a checkpoint of the log now",
            description = "Signed with the service's key.")
    @APIResponse(responseCode = "200", description = "The checkpoint.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = CheckpointView.class)))
    @APIResponse(responseCode = "409", description = "The log is empty: nothing to checkpoint.")
    public Response checkpointNow() {
        Checkpoint c = log.checkpointNow();
        return c == null ? problem(409, "Conflict", "the log is empty: nothing to checkpoint", "/audit/checkpoints")
                : Response.ok(CheckpointView.of(c)).build();
    }

    @GET
    @Path("/checkpoints/key")
    @Operation(operationId = "checkpointKey", summary = "The public key checkpoints are signed with",
            extensions = @Extension(name = org.recordline.commons.api.openapi.SharedContractFilter.NO_BACKEND, value = "true"))
    @APIResponse(responseCode = "200", description = "The key.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = KeyView.class)))
    public KeyView key() {
        return new KeyView(signer.keyId(), "Ed25519",
                Base64.getEncoder().encodeToString(signer.publicKey().getEncoded()));
    }

    @GET
    @Path("/proofs/inclusion")
    @Operation(operationId = "inclusionProof", summary = "Inclusion proof of an entry (RFC 9162)")
    @APIResponse(responseCode = "200", description = "The proof.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = InclusionView.class)))
    @APIResponse(responseCode = "400", description = "seq is not 1 or more, treeSize is larger than the log, or the entry is not in a tree of that size.")
    @APIResponse(responseCode = "410", description = "The entry was removed by retention.")
    public Response inclusion(@Parameter(description = "the entry's sequence number") @QueryParam("seq") Long seq,
                              @Parameter(description = "the tree size; default the log's") @QueryParam("treeSize") Long treeSize) {
        String at = "/audit/proofs/inclusion";
        long size = log.size();
        if (seq == null || seq < 1) {
            return problem(400, "Bad Request", "parameter 'seq' must be an entry's sequence number (1 or more)", at);
        }
        long n = treeSize == null ? size : treeSize;
        if (n > size) {
            return problem(400, "Bad Request", "parameter 'treeSize' must be at most the log's size, " + size, at);
        }
        if (seq > n) {
            return problem(400, "Bad Request", "entry " + seq + " is not in a tree of " + n + " entries", at);
        }
        long removed = log.removed();
        if (seq <= removed) {
            return problem(410, "Gone", "entry " + seq + " was removed by retention (entries 1 to " + removed
                    + " are gone; the retention anchor stands for them)", at);
        }
        AuditLog.Proof proof;
        byte[] entryHash;
        try {
            proof = log.inclusionProof(seq - 1, n);
            entryHash = log.entryHash(seq);
        } catch (AuditLog.RemovedByRetention e) {
            return problem(410, "Gone", e.getMessage(), at);
        }
        return Response.ok(new InclusionView(seq, seq - 1, n, MerkleTree.hex(entryHash), MerkleTree.hex(proof.leafHash()),
                MerkleTree.hex(proof.root()), proof.path().stream().map(MerkleTree::hex).toList())).build();
    }

    @GET
    @Path("/proofs/consistency")
    @Operation(operationId = "consistencyProof", summary = "Consistency proof between two tree sizes (RFC 9162)")
    @APIResponse(responseCode = "200", description = "The proof.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ConsistencyView.class)))
    @APIResponse(responseCode = "400", description = "first and second are not tree sizes with 1 <= first <= second, or second is larger than the log.")
    @APIResponse(responseCode = "410", description = "A tree size lies in entries removed by retention.")
    public Response consistency(@Parameter(description = "the smaller tree size") @QueryParam("first") Long first,
                                @Parameter(description = "the larger tree size, at most the log's") @QueryParam("second") Long second) {
        String at = "/audit/proofs/consistency";
        long size = log.size();
        if (first == null || second == null || first < 1 || first > second) {
            return problem(400, "Bad Request", "parameters 'first' and 'second' must be tree sizes with"
                    + " 1 <= first <= second", at);
        }
        if (second > size) {
            return problem(400, "Bad Request", "parameter 'second' must be at most the log's size, " + size, at);
        }
        AuditLog.Proof proof;
        try {
            proof = log.consistencyProof(first, second);
        } catch (AuditLog.RemovedByRetention e) {
            return problem(410, "Gone", e.getMessage(), at);
        }
        return Response.ok(new ConsistencyView(first, second, MerkleTree.hex(proof.firstRoot()),
                MerkleTree.hex(proof.root()), proof.path().stream().map(MerkleTree::hex).toList())).build();
    }

    /**
     * The result of verifying a range of the log.
     *
     * @param ok          whether it verified
     * @param from        the first entry recomputed
     * @param to          the last entry recomputed
     * @param entries     entries in the log as walked
     * @param checkpoints checkpoints checked (their signatures, and their roots against the log)
     * @param removed     entries removed by retention (1 to this), stood for by the signed retention anchor
     * @param keyId       the key trusted: this service's own
     * @param position    the entry where the first fault is, if any
     * @param fault       what is wrong, if anything
     */
    public record VerifyView(boolean ok, long from, long to, long entries, int checkpoints, long removed, String keyId,
                             Long position, String fault) {
    }

    /**
     * {@code GET /audit/verify?from=A&to=B}: entries A to B (default: the whole log) recomputed from their fields and
     * chained; the tree of every stored hash checked against every checkpoint's signed root; the head checked. It
     * trusts this service's own key and database: a check from outside uses {@code ./recordline audit verify} with a
     * kept checkpoint and key.
     */
    @GET
    @Path("/verify")
    @Operation(operationId = "verifyLog", summary = "Verify the log",
            description = "Recomputes the chain and the Merkle tree over the entries, and checks every checkpoint's signature and root.")
    @APIResponse(responseCode = "200", description = "What verified, or the first fault.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = VerifyView.class)))
    @APIResponse(responseCode = "400", description = "from is larger than the log, or not 1 <= from <= to.")
    public Response verify(@Parameter(description = "the first entry to recompute") @QueryParam("from") Long from,
                           @Parameter(description = "the last entry to recompute") @QueryParam("to") Long to) {
        String at = "/audit/verify";
        long size = log.size();
        long a = from == null ? 1 : from;
        long b = to == null ? Math.max(size, 1) : to;
        if (a > size) {
            return problem(400, "Bad Request", "parameter 'from' must be at most the log's size, " + size, at);
        }
        if (a < 1 || b < a) {
            return problem(400, "Bad Request", "parameters 'from' and 'to' must be entries with 1 <= from <= to", at);
        }
        b = Math.min(b, size);
        LogVerifier.Result r = log.verify(signer.publicKey(), a, b);
        // entries retention removed are not recomputed: the range starts after them
        a = Math.max(a, r.removed() + 1);
        return Response.ok(new VerifyView(r.ok(), a, Math.max(a - 1, b), r.entries(), r.checkpoints(), r.removed(),
                signer.keyId(), r.position(), r.fault())).build();
    }

    private static Response problem(int status, String title, String detail, String instance) {
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(status, title, detail, instance)).build();
    }
}
