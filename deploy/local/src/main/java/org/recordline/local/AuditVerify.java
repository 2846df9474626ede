package org.recordline.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.recordline.audit.domain.Checkpoint;
import org.recordline.audit.domain.CheckpointSigner;
import org.recordline.audit.domain.LogVerifier;
import org.recordline.audit.domain.MerkleTree;
import org.recordline.events.EventCodec;
import org.recordline.testsupport.DatabaseCredentials;
import org.recordline.testsupport.DatabaseRoles;

/**
 * {@code ./recordline audit verify [--checkpoint FILE] [--public-key FILE]}: reads the running local stack's audit
 * log from PostgreSQL as the audit-service's role, in a read-only transaction, and checks it with {@link LogVerifier}: every entry's
 * hash and chain, and the Merkle root at every stored checkpoint and at {@code --checkpoint} (a checkpoint kept
 * outside the database, the JSON {@code GET /audit/checkpoints/latest} returns), each signed by the trusted key:
 * {@code --public-key} (a file with the base64 X.509 key, or a checkpoint key file), else the one in the stack's state
 * folder. Prints the result; false when the log does not verify.
 */
final class AuditVerify {

    private AuditVerify() {
    }

    static boolean run(StackSettings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || !"verify".equals(args.get(0))) {
            throw new RecordlineLauncher.UsageException("audit takes one subcommand: verify");
        }
        Path checkpointFile = null;
        Path keyFile = settings.stateDir().resolve("keys").resolve("audit-checkpoint.key");
        for (int i = 1; i < args.size(); i += 2) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                throw new RecordlineLauncher.UsageException(a + " needs a value");
            }
            switch (a) {
                case "--checkpoint" -> checkpointFile = Path.of(args.get(i + 1));
                case "--public-key" -> keyFile = Path.of(args.get(i + 1));
                default -> throw new RecordlineLauncher.UsageException("unknown option "
                        + RecordlineLauncher.quoted(a) + " for audit verify");
            }
        }
        PublicKey key = trustedKey(keyFile);
        List<Checkpoint> external = new ArrayList<>();
        if (checkpointFile != null) {
            external.add(checkpoint(checkpointFile));
        }
        DatabaseCredentials credentials = DatabaseCredentials.loadOrCreate(
                settings.stateDir().resolve("keys").resolve("database.properties"));
        String url = "jdbc:postgresql://127.0.0.1:" + settings.dbPort() + "/recordline";
        LogVerifier.Result result;
        try (Connection c = DriverManager.getConnection(url, DatabaseRoles.AUDIT,
                credentials.password(DatabaseRoles.AUDIT))) {
            // one snapshot for the whole reading
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            result = new LogVerifier(List.of(key)).verify(c, "audit", external);
            c.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit log at " + url + " (is ./recordline up running?): "
                    + e.getMessage(), e);
        }
        out.println(result);
        if (!result.ok() && result.position() != null) {
            out.println("first fault at entry " + result.position());
        }
        if (result.ok() && external.isEmpty()) {
            out.println("note: checked against the database's own checkpoints only; a log rolled back together with"
                    + " its checkpoints and chain head passes that. Keep checkpoints outside the database and pass"
                    + " the latest with --checkpoint FILE");
        }
        return result.ok();
    }

    private static PublicKey trustedKey(Path file) throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            throw new IllegalStateException("no trusted key: " + file + " does not exist (give --public-key FILE)");
        }
        List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new IllegalStateException("no trusted key: " + file + " is empty");
        }
        // a checkpoint key file holds the private key, then the public one; a public key file only the latter
        return CheckpointSigner.publicKey(lines.get(lines.size() - 1));
    }

    private static Checkpoint checkpoint(Path file) throws IOException {
        JsonNode n = EventCodec.mapper().readTree(Files.readString(file));
        for (String f : List.of("treeSize", "rootHash", "createdAt", "keyId", "signature")) {
            if (!n.hasNonNull(f)) {
                throw new IllegalArgumentException(file + " is not a checkpoint: no " + f);
            }
        }
        return new Checkpoint(n.get("treeSize").asLong(), MerkleTree.unhex(n.get("rootHash").asText()),
                Instant.parse(n.get("createdAt").asText()), n.get("keyId").asText(),
                Base64.getDecoder().decode(n.get("signature").asText()));
    }
}
