package org.recordline.ingestion.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.ingestion.mllp.MllpFrames;
import org.recordline.ingestion.mllp.MllpListener;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * MLLP over mutual TLS: a sender with a certificate the listener trusts is served as over plain TCP; a plain TCP
 * connection and a TLS client without a certificate get nothing and are audited as refused. The keys are real
 * (made by the JDK's keytool for this run), the handshake is the JDK's.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
@TestProfile(MllpTlsTest.MutualTls.class)
class MllpTlsTest {

    private static final String PASSWORD = "mllp-test";
    private static final Path KEYS = keys();

    /** The listener's key pair (for 127.0.0.1), and a sender's, each self-signed, in PKCS#12 key stores. */
    private static Path keys() {
        try {
            Path dir = Files.createTempDirectory("mllp-tls-");
            dir.toFile().deleteOnExit();
            keytool(dir.resolve("listener.p12"), "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
            keytool(dir.resolve("sender.p12"), "CN=ehr-mllp", null);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void keytool(Path store, String name, String san) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "key",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", name, "-validity", "2", "-storetype",
                "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The listener speaks TLS with its key and trusts the sender's certificate only. */
    public static class MutualTls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "recordline.ingestion.mllp.tls.key-store", KEYS.resolve("listener.p12").toString(),
                    "recordline.ingestion.mllp.tls.key-store-password", PASSWORD,
                    "recordline.ingestion.mllp.tls.trust-store", KEYS.resolve("sender.p12").toString(),
                    "recordline.ingestion.mllp.tls.trust-store-password", PASSWORD);
        }
    }

    @Inject
    MllpListener mllp;

    private static KeyStore store(String name) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(KEYS.resolve(name))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    /** A TLS connection that trusts the listener's certificate and checks its name; with the sender's key or none. */
    private SSLSocket connect(boolean withCertificate) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store("listener.p12"));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store("sender.p12"), PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", mllp.port());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static String admission(String control, String mrn) {
        return "MSH|^~\\&|TESTAPP|MLLPTEST|RECORDLINE|RL|20240101120000+0000||ADT^A04^ADT_A01|" + control
                + "|P|2.5.1\rEVN|A04|20240101120000\rPID|1||" + mrn + "^^^HOSP^MR||Tester^Hanna||19800102|F\r"
                + "PV1|1|O\r";
    }

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    @Test
    void aSenderWithATrustedCertificateIsServedOverTls() throws Exception {
        String mrn = "T" + UUID.randomUUID().toString().substring(0, 8);
        String control = "TLS" + UUID.randomUUID().toString().substring(0, 8);
        try (SSLSocket socket = connect(true)) {
            OutputStream out = socket.getOutputStream();
            MllpFrames.write(out, admission(control, mrn).getBytes(StandardCharsets.UTF_8));
            byte[] ack = MllpFrames.read(new BufferedInputStream(socket.getInputStream()), 1 << 20);
            assertTrue(new String(ack, StandardCharsets.UTF_8).contains("MSA|AA|" + control));
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
        List<ConsumerRecord<String, byte[]>> records = topics().find(Topics.INGESTED,
                r -> ("ehr-mllp|" + mrn).equals(r.key()));
        assertEquals(1, records.size(), "AA means on the broker");
    }

    @Test
    void plainTcpAndATlsSenderWithoutACertificateGetNothingAndAreAudited() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", mllp.port())) {
            plain.setSoTimeout(30_000);
            MllpFrames.write(plain.getOutputStream(), admission("PLAIN1", "P1").getBytes(StandardCharsets.UTF_8));
            InputStream in = plain.getInputStream();
            // the listener reads a ClientHello, gets an MLLP frame, and closes: no acknowledgement of any kind
            int first;
            try {
                first = in.read();
            } catch (IOException reset) {
                first = -1;
            }
            assertTrue(first == -1 || first == 0x15, "nothing but a TLS alert (0x15) or the end of the stream: "
                    + first);
        }
        try (SSLSocket anonymous = connect(false)) {
            assertThrows(IOException.class, () -> {
                anonymous.startHandshake();
                MllpFrames.write(anonymous.getOutputStream(), admission("ANON1", "A1")
                        .getBytes(StandardCharsets.UTF_8));
                // TLS 1.3 reports the refused certificate at the first read
                if (anonymous.getInputStream().read() == -1) {
                    throw new IOException("closed");
                }
            });
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !topics().find(Topics.AUDIT,
                MllpTlsTest::handshakeRefusal).isEmpty());
    }

    private static boolean handshakeRefusal(ConsumerRecord<String, byte[]> r) {
        try {
            JsonNode e = EventCodec.mapper().readTree(r.value());
            return "access.denied".equals(e.path("action").asText())
                    && "mllp:127.0.0.1".equals(e.path("actor").asText())
                    && e.path("detail").asText().contains("MLLP TLS handshake failed");
        } catch (IOException e) {
            return false;
        }
    }
}
