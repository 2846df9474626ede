package org.recordline.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Limits and timeouts of the ingestion endpoints. */
@ConfigMapping(prefix = "recordline.ingestion")
public interface IngestionConfig {

    /** Largest accepted submission body in bytes; larger ones get 413. */
    @WithDefault("10485760")
    int maxSubmissionBytes();

    /** Deepest accepted JSON nesting; deeper documents get 400. */
    @WithDefault("64")
    int maxJsonDepth();

    /** Longest number literal accepted, in characters; longer ones get 400. FHIR decimals need about 20. */
    @WithDefault("64")
    int maxNumberLength();

    /** Deepest element nesting accepted inside a narrative's XHTML ({@code text.div}); deeper ones get 400. */
    @WithDefault("32")
    int maxXhtmlDepth();

    /** Largest request body but an NDJSON import's, in bytes (413 above, before it is read). */
    @WithDefault("20971520")
    long maxRequestBytes();

    /** Most entries accepted in one Bundle; more get 413. */
    @WithDefault("5000")
    int maxBundleEntries();

    /** How long a submission waits for the broker's acknowledgement before it answers 503. */
    @WithDefault("15s")
    Duration publishTimeout();

    /** HL7 v2 intake limits. */
    Hl7v2 hl7v2();

    /** Bulk NDJSON import ({@code POST /fhir/$import}). */
    @io.smallrye.config.WithName("import")
    Import imports();

    /** Bulk NDJSON import. */
    interface Import {
        /**
         * The folder whose files a manifest may name ({@code file:} URLs under it, after normalising); without it,
         * manifests are refused and only NDJSON in the request body is taken.
         */
        java.util.Optional<java.nio.file.Path> directory();

        /** Largest NDJSON request body, in bytes (read as a stream, never held). */
        @WithDefault("4294967296")
        long maxBodyBytes();

        /** Longest line taken, in bytes; a longer one is a per-line error and the rest is read on. */
        @WithDefault("10485760")
        int maxLineBytes();

        /** Most per-line errors kept and reported for one import (all are counted). */
        @WithDefault("1000")
        int maxReportedErrors();

        /**
         * A running job whose lease (renewed every minute by its instance) is older than this was left by a stopped
         * instance, and is taken over.
         */
        @WithDefault("3m")
        Duration stallTimeout();

        /** Most submissions handed to the intake at once (one group commit and one broker round trip). */
        @WithDefault("200")
        int submissionsPerRound();
    }

    /** The MLLP listener for HL7 v2. */
    Mllp mllp();

    /** The inbound topic, {@code ehr.inbound.v1}. */
    Inbound inbound();

    /** The inbound topic's senders. */
    interface Inbound {
        /**
         * Each registered sender's {@code ce_source} and the source system name its records are filed under; a record
         * from any other is refused (result 403) and audited as {@code access.denied}.
         */
        Map<String, String> sources();
    }

    /** HL7 v2 intake limits, over HTTP and MLLP. */
    interface Hl7v2 {
        /** Largest message accepted, in bytes (413 / AR above). */
        @WithDefault("1048576")
        int maxBytes();

        /** Most segments accepted in one message (413 / AR above). */
        @WithDefault("2000")
        int maxSegments();
    }

    /** The MLLP listener: TCP with start and end block framing, one message and its acknowledgement at a time. */
    interface Mllp {
        /** Whether the listener runs. */
        @WithDefault("true")
        boolean enabled();

        /** The address it binds. */
        @WithDefault("0.0.0.0")
        String host();

        /** Its port (0: any free port, for tests). */
        @WithDefault("2575")
        int port();

        /** Most connections open at once; more are closed at once. */
        @WithDefault("64")
        int maxConnections();

        /** A connection idle this long is closed. */
        @WithDefault("10m")
        Duration idleTimeout();

        /**
         * The senders it takes messages from: sending facility (MSH-4, its namespace id) to the source system name
         * their submissions are recorded under. A message from a facility not listed is refused ({@code AR}) and
         * audited. MLLP carries no token: deploy it on a network only the listed systems reach (deploy/ restricts it
         * with a NetworkPolicy).
         */
        Map<String, String> senders();

        /** TLS on the MLLP port; without a key store the port speaks plain TCP. */
        Tls tls();

        /**
         * TLS for MLLP (TLS 1.3 or 1.2). With a key store the port speaks only TLS; with a trust store too, every sender
         * must present a certificate one of its authorities signed (mutual TLS), and a connection that cannot complete
         * the handshake is closed and audited as a refused request of its address.
         */
        interface Tls {
            /** A PKCS#12 key store with the listener's private key and certificate chain. */
            Optional<String> keyStore();

            /** The key store's password. */
            Optional<String> keyStorePassword();

            /** A PKCS#12 trust store of the authorities that sign the senders' certificates. */
            Optional<String> trustStore();

            /** The trust store's password. */
            Optional<String> trustStorePassword();
        }
    }
}
