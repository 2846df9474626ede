package org.recordline.ingestion.api;

import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.recordline.ingestion.config.IngestionConfig;

/**
 * The request body limit, by route: NDJSON sent to {@code POST /fhir/$import} is read as a stream, line by line, so
 * it may be as large as {@code import.max-body-bytes} (hundreds of MB); every other body is buffered before it is
 * checked, so it keeps {@code max-request-bytes} (20 MB). Runs after Quarkus's own limit handler (set high for this
 * service) and puts the route's limit in its place: a larger {@code Content-Length} is answered {@code 413} with an
 * OperationOutcome before a byte of the body is read, and a chunked body is cut off at the limit by the reader.
 */
@ApplicationScoped
public class RequestBodyLimits {

    private static final String OUTCOME = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
            + "\"code\":\"too-costly\",\"diagnostics\":\"the request body is larger than %d bytes, the limit for this"
            + " request\"}]}";

    private final long defaultLimit;
    private final long importLimit;

    public RequestBodyLimits(IngestionConfig config) {
        this.defaultLimit = config.maxRequestBytes();
        this.importLimit = config.imports().maxBodyBytes();
    }

    void install(@Observes Router router) {
        router.route().order(-1).handler(this::limit);
    }

    /** The limit for a request: the import's for NDJSON to {@code $import}, else the default. */
    long limitFor(String path, String contentType) {
        boolean ndjson = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("ndjson");
        boolean toImport = path != null && (path.endsWith("/fhir/$import") || path.endsWith("/fhir/%24import"));
        return ndjson && toImport ? importLimit : defaultLimit;
    }

    private void limit(RoutingContext rc) {
        long limit = limitFor(rc.request().path(), rc.request().getHeader(HttpHeaders.CONTENT_TYPE));
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            if (n > limit) {
                rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/fhir+json")
                        .putHeader(HttpHeaders.CONNECTION, "close").end(String.format(OUTCOME, limit));
                return;
            }
        }
        rc.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limit);
        rc.next();
    }
}
