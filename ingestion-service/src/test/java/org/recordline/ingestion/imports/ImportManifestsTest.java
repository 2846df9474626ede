package org.recordline.ingestion.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recordline.ingestion.domain.RejectedSubmissionException;

/** Pure logic: which files a manifest may name. */
class ImportManifestsTest {

    @TempDir
    Path base;

    private Path dir() throws Exception {
        Path d = Files.createDirectories(base.resolve("imports"));
        Files.writeString(d.resolve("Patient.ndjson"), "{}\n");
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("sub/Encounter.ndjson"), "{}\n");
        Files.writeString(base.resolve("secret.ndjson"), "{}\n");
        return d;
    }

    private static String why(String manifest, Path dir) {
        return assertThrows(RejectedSubmissionException.class, () -> ImportManifests.files(manifest, dir))
                .diagnostics();
    }

    @Test
    void parametersAndBulkExportManifestsNameFilesByFileUrlOrRelativePath() throws Exception {
        Path d = dir();
        String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"input\",\"part\":["
                + "{\"name\":\"type\",\"valueCode\":\"Patient\"},{\"name\":\"url\",\"valueUrl\":\""
                + d.resolve("Patient.ndjson").toUri() + "\"}]}]}";
        List<ImportJobs.ManifestFile> files = ImportManifests.files(parameters, d);
        assertEquals(List.of(new ImportJobs.ManifestFile("Patient.ndjson", d.resolve("Patient.ndjson").toRealPath())),
                files);
        String export = "{\"output\":[{\"type\":\"Patient\",\"url\":\"Patient.ndjson\"},"
                + "{\"type\":\"Encounter\",\"url\":\"sub/Encounter.ndjson\"}]}";
        assertEquals(2, ImportManifests.files(export, d).size());
    }

    @Test
    void nothingOutsideTheDirectoryNorOverTheNetworkNorWithoutADirectory() throws Exception {
        Path d = dir();
        assertTrue(why("{\"output\":[{\"url\":\"../secret.ndjson\"}]}", d).contains("not a file inside"));
        assertTrue(why("{\"output\":[{\"url\":\"file:///etc/passwd\"}]}", d).contains("not a file inside"));
        assertTrue(why("{\"output\":[{\"url\":\"https://example.org/x.ndjson\"}]}", d).contains("https URL"));
        assertTrue(why("{\"output\":[{\"url\":\"sub\"}]}", d).contains("not a file inside"));
        assertTrue(why("{\"output\":[{\"url\":\"missing.ndjson\"}]}", d).contains("does not exist"));
        Files.createSymbolicLink(d.resolve("link.ndjson"), base.resolve("secret.ndjson"));
        assertTrue(why("{\"output\":[{\"url\":\"link.ndjson\"}]}", d).contains("not a file inside"));
        assertTrue(why("{\"output\":[]}", d).contains("names no file"));
        assertTrue(why("not json", d).contains("not JSON"));
        assertTrue(why("{\"output\":[{\"url\":\"Patient.ndjson\"}]}", null).contains("takes no manifests"));
    }
}
