package org.recordline.validation.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.recordline.events.ValidationIssue;

/**
 * Profiles and the conformance resources they need (value sets, code systems, extensions), loaded from a folder of
 * {@code *.json} and {@code *.xml} files and implementation-guide packages ({@code *.tgz}, NPM format: the
 * {@code package/*.json} entries), and applied by HAPI's full validator to the resources that claim them or that a
 * feed requires. Thread-safe once loaded.
 */
public final class Profiles {

    /** Rule id prefix of a profile's findings. */
    public static final String RULE_PREFIX = "fhir-profile:";
    /** Largest file or package entry read, in bytes: conformance resources are small; anything else is refused. */
    static final long MAX_ENTRY_BYTES = 16L * 1024 * 1024;
    /** Most entries read from one package. */
    static final int MAX_ENTRIES = 20_000;
    /** Most bytes decompressed from one package, all entries together. */
    static final long MAX_PACKAGE_BYTES = 512L * 1024 * 1024;

    private final List<IBaseResource> resources;
    private final Set<String> profileUrls;
    private final FullConformance validator;

    private Profiles(DefaultProfileValidationSupport core, List<IBaseResource> resources) {
        this.resources = List.copyOf(resources);
        Set<String> urls = new LinkedHashSet<>();
        for (IBaseResource r : resources) {
            if (r instanceof StructureDefinition sd && sd.hasUrl()
                    && sd.getDerivation() == StructureDefinition.TypeDerivationRule.CONSTRAINT) {
                urls.add(sd.getUrl());
            }
        }
        this.profileUrls = Set.copyOf(urls);
        this.validator = FullConformance.withResources(core, resources);
    }

    /** Profiles from conformance resources already parsed. */
    public static Profiles of(DefaultProfileValidationSupport core, Collection<? extends IBaseResource> resources) {
        return new Profiles(core, new ArrayList<>(resources));
    }

    /**
     * Reads every {@code *.json}, {@code *.xml} and {@code *.tgz} of {@code dir} (not its sub-folders). A file that
     * is not a FHIR R4 conformance resource is skipped; a folder that cannot be read fails start-up.
     */
    public static Profiles load(DefaultProfileValidationSupport core, Path dir) {
        FhirContext fhir = core.getFhirContext();
        List<IBaseResource> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().toLowerCase();
                if (name.endsWith(".tgz") || name.endsWith(".tar.gz")) {
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(f))) {
                        readPackage(fhir, in, out);
                    }
                } else if ((name.endsWith(".json") || name.endsWith(".xml")) && Files.size(f) <= MAX_ENTRY_BYTES) {
                    add(fhir, Files.readString(f, StandardCharsets.UTF_8), name.endsWith(".xml"), out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("profiles folder " + dir + " could not be read", e);
        }
        return new Profiles(core, out);
    }

    /** Reads the conformance resources of an NPM package ({@code package/*.json}) into {@code out}. */
    static void readPackage(FhirContext fhir, InputStream tgz, List<IBaseResource> out) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(tgz))) {
            TarArchiveEntry e;
            int entries = 0;
            long total = 0;
            while ((e = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw new IOException("package has more than " + MAX_ENTRIES + " entries");
                }
                total += Math.max(0, e.getSize());
                if (total > MAX_PACKAGE_BYTES) {
                    throw new IOException("package holds more than " + MAX_PACKAGE_BYTES + " bytes");
                }
                String name = e.getName();
                // only the package's own top folder; no examples, no other folders, nothing outside it
                if (!e.isFile() || !name.startsWith("package/") || name.indexOf('/', 8) >= 0
                        || !name.endsWith(".json") || name.endsWith("package.json") || name.endsWith(".index.json")) {
                    continue;
                }
                if (e.getSize() > MAX_ENTRY_BYTES) {
                    continue;
                }
                add(fhir, new String(readAll(tar, MAX_ENTRY_BYTES), StandardCharsets.UTF_8), false, out);
            }
        }
    }

    private static byte[] readAll(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            total += n;
            if (total > limit) {
                throw new IOException("package entry larger than " + limit + " bytes");
            }
            buf.write(chunk, 0, n);
        }
        return buf.toByteArray();
    }

    private static void add(FhirContext fhir, String text, boolean xml, List<IBaseResource> out) {
        try {
            IBaseResource r = (xml ? fhir.newXmlParser() : fhir.newJsonParser()).parseResource(text);
            String type = fhir.getResourceType(r);
            if (!type.equals("Bundle") && !type.equals("ImplementationGuide")) {
                out.add(r);
            }
        } catch (RuntimeException e) {
            // not an R4 resource (another version, an example of a format): not a profile to load
        }
    }

    /** The canonical URLs of the profiles loaded. */
    public Set<String> profileUrls() {
        return profileUrls;
    }

    /** How many conformance resources were loaded. */
    public int size() {
        return resources.size();
    }

    /** Whether {@code url} (with or without {@code |version}) is a loaded profile. */
    public boolean knows(String url) {
        return url != null && profileUrls.contains(bare(url));
    }

    /**
     * Validates {@code resource} against {@code profiles} (which must be loaded), its findings placed at {@code path}
     * (e.g. {@code Bundle.entry[2].resource}).
     */
    public List<ValidationIssue> validate(Resource resource, Collection<String> profiles, String path) {
        List<ValidationIssue> out = new ArrayList<>();
        for (ValidationIssue i : validator.validate(resource, profiles.stream().map(Profiles::bare).toList())) {
            out.add(new ValidationIssue(i.severity(), i.code(),
                    RULE_PREFIX + i.rule().substring(FullConformance.RULE_PREFIX.length()),
                    relocate(i.expression(), resource.fhirType(), path), i.message(), i.pack()));
        }
        return out;
    }

    /** {@code url} without its {@code |version}. */
    public static String bare(String url) {
        int bar = url.indexOf('|');
        return bar < 0 ? url : url.substring(0, bar);
    }

    private static String relocate(String expression, String type, String path) {
        if (expression == null || path.equals(type)) {
            return expression == null ? path : expression;
        }
        return expression.startsWith(type) ? path + expression.substring(type.length()) : path + "." + expression;
    }
}
