package org.recordline.ingestion.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.ingestion.domain.RejectedSubmissionException;

/**
 * Reads the manifest of a bulk import: the files to import, each a {@code file:} URL (or a path relative to the
 * import directory) that must lie inside the import directory once links are followed. Three shapes are taken: a FHIR
 * {@code Parameters} with {@code input} parts ({@code url}: valueUrl or valueUri), and the JSON of a bulk export's
 * manifest, with an {@code output} (or {@code input}) array of {@code {"type", "url"}}.
 */
public final class ImportManifests {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most files one manifest may name. */
    static final int MAX_FILES = 1000;

    private ImportManifests() {
    }

    /**
     * The files {@code manifest} names, checked.
     *
     * @throws RejectedSubmissionException 400 naming the problem: not a manifest, no import directory configured, a
     *                                     URL that is not a file under it, a file that does not exist
     */
    public static List<ImportJobs.ManifestFile> files(String manifest, Path directory) {
        if (directory == null) {
            throw refused("this service takes no manifests (recordline.ingestion.import.directory is not set): send"
                    + " the NDJSON as the request body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (IOException e) {
            throw refused("the manifest is not JSON");
        }
        List<String> urls = new ArrayList<>();
        if ("Parameters".equals(root.path("resourceType").asText())) {
            for (JsonNode p : root.path("parameter")) {
                if ("input".equals(p.path("name").asText())) {
                    for (JsonNode part : p.path("part")) {
                        if ("url".equals(part.path("name").asText())) {
                            urls.add(part.has("valueUrl") ? part.path("valueUrl").asText()
                                    : part.path("valueUri").asText());
                        }
                    }
                }
            }
        } else {
            JsonNode list = root.has("output") ? root.path("output") : root.path("input");
            for (JsonNode item : list) {
                urls.add(item.path("url").asText());
            }
        }
        if (urls.isEmpty()) {
            throw refused("the manifest names no file (Parameters with input parts, or an output array of type"
                    + " and url)");
        }
        if (urls.size() > MAX_FILES) {
            throw new RejectedSubmissionException(413, IssueType.TOOCOSTLY, "the manifest names " + urls.size()
                    + " files, more than the limit of " + MAX_FILES);
        }
        Path root0;
        try {
            root0 = directory.toRealPath();
        } catch (IOException e) {
            throw new RejectedSubmissionException(503, IssueType.TRANSIENT, "the import directory is not readable");
        }
        List<ImportJobs.ManifestFile> files = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            files.add(new ImportJobs.ManifestFile(name(urls.get(i)), resolve(urls.get(i), root0, i)));
        }
        return files;
    }

    private static Path resolve(String url, Path directory, int index) {
        String where = "manifest file " + (index + 1);
        Path path;
        try {
            if (url.isEmpty()) {
                throw refused(where + " has no url");
            }
            URI uri = URI.create(url);
            if (uri.getScheme() == null) {
                path = directory.resolve(url);
            } else if ("file".equals(uri.getScheme())) {
                path = Path.of(uri);
            } else {
                throw refused(where + " is a " + uri.getScheme() + " URL; only files under the import directory are"
                        + " read (file: URLs or relative paths)");
            }
        } catch (IllegalArgumentException e) {
            throw refused(where + " has a url that is not a valid URI or path");
        }
        Path real;
        try {
            real = path.normalize().toRealPath();
        } catch (IOException e) {
            throw refused(where + " does not exist or cannot be read");
        }
        if (!real.startsWith(directory) || !Files.isRegularFile(real)) {
            throw refused(where + " is not a file inside the import directory");
        }
        return real;
    }

    private static String name(String url) {
        int slash = url.lastIndexOf('/');
        String n = slash < 0 ? url : url.substring(slash + 1);
        return n.length() > 100 ? n.substring(0, 100) : n;
    }

    private static RejectedSubmissionException refused(String message) {
        return new RejectedSubmissionException(400, IssueType.INVALID, message);
    }
}
