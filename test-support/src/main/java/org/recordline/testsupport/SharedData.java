package org.recordline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * The project's reference data ({@code ../shared/data} beside the checkout), found through the system property
 * {@code recordline.shared-data} that the build sets, or by walking up from the working directory.
 */
public final class SharedData {

    private SharedData() {
    }

    /** The {@code shared/data} folder. */
    public static Path root() {
        String configured = System.getProperty("recordline.shared-data");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured).normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/data not found; set -Drecordline.shared-data=<path>");
    }

    /** The Synthea patient transaction bundles, sorted by name (hospital information bundles left out). */
    public static java.util.List<Path> syntheaPatientBundles() {
        try (Stream<Path> s = Files.list(root().resolve("synthea/bundles"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().startsWith("hospitalInformation")
                            && !p.getFileName().toString().startsWith("practitionerInformation"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a file under {@code shared/data}. */
    public static byte[] read(String relative) {
        try {
            return Files.readAllBytes(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a committed fixture under {@code fixtures/} on the classpath. */
    public static byte[] fixture(String name) {
        try (var in = SharedData.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
