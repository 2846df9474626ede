package org.recordline.ingestion.mllp;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.domain.hl7v2.Hl7v2Intake;

/**
 * The MLLP listener for HL7 v2 (default port 2575): a thread per connection (at most {@code max-connections}), which
 * reads a frame, answers with the acknowledgement once the message is accepted durably ({@code AA} only after the
 * broker acknowledged it) and only then reads the next frame, so the messages of one connection keep their order.
 * A frame over the size limit or broken framing is answered (an {@code AR} without a control id) and the connection
 * closed, since the stream's position is then unknown. With {@code tls.key-store} set the port speaks only TLS, and
 * with {@code tls.trust-store} every sender must present a trusted certificate; a failed handshake closes the
 * connection and is audited as a refused request of its address.
 */
@ApplicationScoped
public class MllpListener {

    private static final Logger LOG = Logger.getLogger(MllpListener.class);

    private final IngestionConfig.Mllp config;
    private final int maxBytes;
    private final Hl7v2Intake intake;
    private volatile ServerSocket server;
    private ExecutorService connections;
    private Thread acceptor;

    public MllpListener(IngestionConfig config, Hl7v2Intake intake) {
        this.config = config.mllp();
        this.maxBytes = config.hl7v2().maxBytes();
        this.intake = intake;
    }

    /** The port it listens on (the one bound, when configured as 0); -1 when not listening. */
    public int port() {
        ServerSocket s = server;
        return s == null ? -1 : s.getLocalPort();
    }

    void start(@Observes StartupEvent ev) throws IOException {
        if (!config.enabled()) {
            return;
        }
        ServerSocket s = config.tls().keyStore().isPresent() ? tlsServerSocket(config.tls()) : new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), 50);
        server = s;
        AtomicInteger n = new AtomicInteger();
        connections = new ThreadPoolExecutor(0, config.maxConnections(), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "mllp-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        acceptor = new Thread(this::acceptLoop, "mllp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.infof("MLLP listener on %s:%d (%d senders registered; %s)", config.host(), s.getLocalPort(),
                config.senders().size(), !(s instanceof SSLServerSocket tls) ? "plain TCP"
                        : tls.getNeedClientAuth() ? "TLS, senders' certificates required" : "TLS");
    }

    /**
     * A server socket speaking TLS 1.3 or 1.2 with the key store's key; requiring the senders' certificates when a
     * trust store is set.
     */
    static SSLServerSocket tlsServerSocket(IngestionConfig.Mllp.Tls tls) throws IOException {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            char[] password = tls.keyStorePassword().orElse("").toCharArray();
            keys.init(load(tls.keyStore().orElseThrow(), password), password);
            TrustManager[] trust = null;
            if (tls.trustStore().isPresent()) {
                TrustManagerFactory senders = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                senders.init(load(tls.trustStore().get(), tls.trustStorePassword().orElse("").toCharArray()));
                trust = senders.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust, null);
            SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            s.setEnabledProtocols(java.util.Arrays.stream(s.getSupportedProtocols())
                    .filter(p -> p.equals("TLSv1.3") || p.equals("TLSv1.2")).toArray(String[]::new));
            s.setNeedClientAuth(trust != null);
            return s;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("MLLP TLS could not be set up: " + e.getMessage(), e);
        }
    }

    private static java.security.KeyStore load(String file, char[] password)
            throws IOException, java.security.GeneralSecurityException {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
            store.load(in, password);
        }
        return store;
    }

    void stop(@Observes ShutdownEvent ev) {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing the MLLP listener", e);
            }
        }
        if (connections != null) {
            connections.shutdownNow();
        }
    }

    private void acceptLoop() {
        while (server != null) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (server != null) {
                    LOG.warnf("MLLP accept failed: %s", e.getMessage());
                }
                continue;
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                LOG.warnf("MLLP connection from %s refused: %d connections open", address(socket),
                        config.maxConnections());
                close(socket);
            }
        }
    }

    private void serve(Socket socket) {
        String peer = address(socket);
        try (socket) {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()));
            socket.setTcpNoDelay(true);
            if (socket instanceof SSLSocket tls) {
                try {
                    tls.startHandshake();
                } catch (SSLException e) {
                    // no TLS, an untrusted or missing certificate: nothing can be answered on this connection
                    LOG.infof("MLLP connection from %s refused: TLS handshake failed (%s)", peer, e.getMessage());
                    intake.refuseConnection(peer, "MLLP TLS handshake failed");
                    return;
                }
            }
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4 * 1024);
            while (true) {
                byte[] message;
                try {
                    message = MllpFrames.read(in, maxBytes);
                } catch (MllpFrames.FramingException e) {
                    LOG.infof("MLLP connection from %s closed: %s", peer, e.getMessage());
                    Hl7v2Intake.Reply reply = intake.refuseFrame(e.tooLarge(), e.getMessage(), peer);
                    MllpFrames.write(out, reply.ack().getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (message == null) {
                    return;
                }
                Hl7v2Intake.Reply reply = intake.receiveMllp(message, config.senders(), peer, context(peer));
                MllpFrames.write(out, reply.ack().getBytes(StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException e) {
            LOG.debugf("MLLP connection from %s idle, closed", peer);
        } catch (IOException | RuntimeException e) {
            LOG.infof("MLLP connection from %s ended: %s", peer, e.getClass().getSimpleName());
        }
    }

    /** What an MLLP message's audit events say of its request: the peer's address, a correlation id of its own. */
    private static AuditTrail.RequestContext context(String peer) {
        return AuditTrail.RequestContext.outsideHttp(peer, UUID.randomUUID().toString());
    }

    private static String address(Socket socket) {
        return socket.getInetAddress() == null ? "unknown" : socket.getInetAddress().getHostAddress();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing a refused MLLP connection", e);
        }
    }
}
