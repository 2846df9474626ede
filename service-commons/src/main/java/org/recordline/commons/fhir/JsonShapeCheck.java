package org.recordline.commons.fhir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * One streaming pass over a submission's bytes that refuses, with the limit and the place named, everything a FHIR
 * parser should never be handed: malformed JSON, a top level that is not an object, duplicate keys (read one way by
 * one parser and another way by the next), nesting beyond the limit, numbers thousands of digits long, NUL
 * characters (PostgreSQL cannot store them), too many Bundle entries, and narratives whose XHTML nests too deeply or
 * declares a document type. Nothing is built: memory stays flat whatever the input.
 */
public final class JsonShapeCheck {

    private final JsonLimits limits;
    private final JsonFactory json;

    public JsonShapeCheck(JsonLimits limits) {
        this.limits = limits;
        // Jackson's own limits sit above ours, so that ours (which say where) are the ones that trip
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth() + 2)
                        .maxNumberLength(Integer.MAX_VALUE)
                        .build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** Checks {@code body}; throws {@link JsonShapeException} naming the first problem and where it is. */
    public void check(byte[] body) {
        check(body, null);
    }

    /** Checks {@code document}; throws {@link JsonShapeException} naming the first problem and where it is. */
    public void check(String document) {
        check(null, document);
    }

    private void check(byte[] body, String document) {
        JsonParser p = null;
        Root root = new Root();
        try {
            p = body != null ? json.createParser(body) : json.createParser(document);
            walk(p, root);
        } catch (JsonShapeException e) {
            throw e;
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            if (msg.startsWith("Duplicate field")) {
                String name = msg.replaceAll("^Duplicate field '(.*)'$", "$1");
                throw new JsonShapeException(400, IssueType.STRUCTURE, "duplicate JSON key \""
                        + (name.length() > 64 ? name.substring(0, 64) + "…" : name) + "\"", where(p, true, root));
            }
            if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
                throw new JsonShapeException(400, IssueType.TOOCOSTLY,
                        "JSON nesting deeper than " + limits.maxDepth() + " levels", where(p, false, root));
            }
            throw new JsonShapeException(400, IssueType.STRUCTURE, "malformed JSON at line "
                    + (e.getLocation() == null ? 0 : e.getLocation().getLineNr()) + ", column "
                    + (e.getLocation() == null ? 0 : e.getLocation().getColumnNr()), null);
        } catch (IOException e) {
            throw new JsonShapeException(400, IssueType.STRUCTURE, "unreadable JSON", null);
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // nothing to release: the input is an array in memory
                }
            }
        }
    }

    /** The root's resource type once read (for locations), kept per check: the checker itself is shared. */
    private static final class Root {
        String type;
    }

    private void walk(JsonParser p, Root root) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonShapeException(400, IssueType.STRUCTURE,
                    "a FHIR JSON resource must be a JSON object", null);
        }
        int depth = 1;
        boolean inEntries = false;
        int entries = 0;
        JsonToken t;
        while ((t = p.nextToken()) != null) {
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (depth == 1 && t == JsonToken.START_ARRAY && "entry".equals(p.currentName())) {
                        inEntries = true;
                    } else if (inEntries && depth == 2 && ++entries > limits.maxEntries()) {
                        throw new JsonShapeException(413, IssueType.TOOCOSTLY, "Bundle has more than "
                                + limits.maxEntries() + " entries", "Bundle.entry");
                    }
                    if (++depth > limits.maxDepth()) {
                        throw new JsonShapeException(400, IssueType.TOOCOSTLY,
                                "JSON nesting deeper than " + limits.maxDepth() + " levels", where(p, false, root));
                    }
                }
                case END_OBJECT, END_ARRAY -> {
                    depth--;
                    if (depth == 1) {
                        inEntries = false;
                    }
                    if (depth == 0 && p.nextToken() != null) {
                        // the document is passed on as it arrived: it must be exactly one JSON object
                        throw new JsonShapeException(400, IssueType.STRUCTURE,
                                "content after the end of the JSON object", null);
                    }
                }
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    int length = p.getTextLength();
                    if (length > limits.maxNumberLength()) {
                        throw new JsonShapeException(400, IssueType.TOOCOSTLY, "number of " + length
                                + " characters, longer than the limit of " + limits.maxNumberLength(),
                                where(p, false, root));
                    }
                }
                case VALUE_STRING -> {
                    if (depth == 1 && root.type == null && "resourceType".equals(p.currentName())
                            && p.getText().matches("[A-Za-z]{1,64}")) {
                        root.type = p.getText();
                    }
                    char[] chars = p.getTextCharacters();
                    int from = p.getTextOffset();
                    int length = p.getTextLength();
                    for (int i = from, end = from + length; i < end; i++) {
                        if (chars[i] == 0) {
                            throw new JsonShapeException(400, IssueType.INVALID,
                                    "strings must not contain the NUL character (U+0000)", where(p, false, root));
                        }
                    }
                    if ("div".equals(p.currentName())) {
                        String problem = NarrativeXhtml.problem(java.nio.CharBuffer.wrap(chars, from, length),
                                limits.maxXhtmlDepth());
                        if (problem != null) {
                            throw new JsonShapeException(400, IssueType.TOOCOSTLY, problem,
                                    where(p, false, root));
                        }
                    }
                }
                case FIELD_NAME -> {
                    if (p.currentName().indexOf('\u0000') >= 0) {
                        throw new JsonShapeException(400, IssueType.INVALID,
                                "element names must not contain the NUL character (U+0000)", where(p, true, root));
                    }
                }
                default -> {
                    // booleans and null need no check
                }
            }
        }
    }

    /**
     * Where the parser stands, FHIRPath-style ({@code entry[3].resource.text.div}); {@code parentOnly} names the object
     * being read rather than the current member (for a duplicate key, which is reported before it is entered).
     */
    private static String where(JsonParser p, boolean parentOnly, Root root) {
        if (p == null) {
            return root.type;
        }
        var ctx = p.getParsingContext();
        if (parentOnly && ctx != null && ctx.inObject() && ctx.getParent() != null) {
            ctx = ctx.getParent();
        }
        JsonPointer ptr = ctx == null ? JsonPointer.empty() : ctx.pathAsPointer();
        StringBuilder b = new StringBuilder(root.type == null ? "" : root.type);
        for (JsonPointer seg = ptr; seg != null && !seg.matches(); seg = seg.tail()) {
            if (seg.mayMatchElement()) {
                b.append('[').append(seg.getMatchingIndex()).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                String name = seg.getMatchingProperty();
                b.append(name.length() > 64 ? name.substring(0, 64) + "…" : name);
            }
        }
        return b.length() == 0 ? null : b.toString();
    }
}
