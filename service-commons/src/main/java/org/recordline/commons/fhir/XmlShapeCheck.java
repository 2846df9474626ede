package org.recordline.commons.fhir;

import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * One streaming pass (StAX, document types and external entities off) over a FHIR XML submission that refuses, with
 * the limit and the place named, what a FHIR parser should never be handed: a document type declaration (the door to
 * entity expansion and external entities: {@code file:///etc/passwd}, billion laughs), an entity reference, an
 * encoding other than UTF-8, malformed XML, element nesting beyond the limit, numeric values thousands of digits
 * long, too many Bundle entries, and narratives that nest too deeply. Nothing is built: memory stays flat.
 *
 * <p>XML nests deeper than JSON for the same resource (each primitive is an element, each contained or entry resource
 * has a wrapper element), so the element depth allowed is twice the JSON depth limit.
 */
public final class XmlShapeCheck {

    private static final String FHIR_NS = "http://hl7.org/fhir";
    private static final String XHTML_NS = "http://www.w3.org/1999/xhtml";

    private final JsonLimits limits;
    private final XMLInputFactory factory;

    public XmlShapeCheck(JsonLimits limits) {
        this.limits = limits;
        // the JDK's own StAX implementation, whatever else is on the class path, with every door to entities shut
        this.factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
    }

    /** Checks {@code body}; throws {@link JsonShapeException} naming the first problem and where it is. */
    public void check(byte[] body) {
        if (body.length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
                || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
            throw new JsonShapeException(400, IssueType.STRUCTURE, "FHIR XML must be encoded in UTF-8", null);
        }
        XMLStreamReader r = null;
        Deque<String> path = new ArrayDeque<>();
        int xhtmlDepth = -1;
        int entries = 0;
        String root = null;
        try {
            // readers are made one at a time: the factory is shared, and StAX does not promise it is thread-safe
            synchronized (factory) {
                r = factory.createXMLStreamReader(new ByteArrayInputStream(body));
            }
            String encoding = r.getCharacterEncodingScheme();
            if (encoding != null && !encoding.equalsIgnoreCase("UTF-8")) {
                throw new JsonShapeException(400, IssueType.STRUCTURE, "FHIR XML must be encoded in UTF-8, not "
                        + (encoding.length() > 20 ? encoding.substring(0, 20) : encoding), null);
            }
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> throw new JsonShapeException(400, IssueType.SECURITY,
                            "XML with a document type declaration (DOCTYPE) is refused: FHIR XML has none, and"
                                    + " entities are not expanded", null);
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new JsonShapeException(400, IssueType.SECURITY,
                            "XML entity references other than the predefined ones are refused", where(path));
                    case XMLStreamConstants.START_ELEMENT -> {
                        String name = r.getLocalName();
                        if (root == null) {
                            root = name;
                            if (!FHIR_NS.equals(r.getNamespaceURI())) {
                                throw new JsonShapeException(400, IssueType.STRUCTURE,
                                        "the root element is not in the FHIR namespace (" + FHIR_NS + ")", null);
                            }
                        }
                        path.addLast(name);
                        if (path.size() > 2 * limits.maxDepth()) {
                            throw new JsonShapeException(400, IssueType.TOOCOSTLY, "XML nests deeper than "
                                    + 2 * limits.maxDepth() + " elements", where(path));
                        }
                        if (path.size() == 2 && "Bundle".equals(root) && "entry".equals(name)
                                && ++entries > limits.maxEntries()) {
                            throw new JsonShapeException(413, IssueType.TOOCOSTLY, "Bundle has more than "
                                    + limits.maxEntries() + " entries", "Bundle.entry");
                        }
                        if (xhtmlDepth >= 0) {
                            if (++xhtmlDepth > limits.maxXhtmlDepth()) {
                                throw new JsonShapeException(400, IssueType.TOOCOSTLY, "the narrative nests deeper"
                                        + " than " + limits.maxXhtmlDepth() + " elements", where(path));
                            }
                        } else if ("div".equals(name) && XHTML_NS.equals(r.getNamespaceURI())) {
                            xhtmlDepth = 0;
                        }
                        for (int i = 0; i < r.getAttributeCount(); i++) {
                            String v = r.getAttributeValue(i);
                            if (v.length() > limits.maxNumberLength() && looksNumeric(v)) {
                                throw new JsonShapeException(400, IssueType.TOOCOSTLY, "a number longer than "
                                        + limits.maxNumberLength() + " characters", where(path));
                            }
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        path.removeLast();
                        if (xhtmlDepth >= 0) {
                            xhtmlDepth--;
                        }
                    }
                    default -> { }
                }
            }
            if (root == null) {
                throw new JsonShapeException(400, IssueType.STRUCTURE, "an empty XML document", null);
            }
        } catch (XMLStreamException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNumber()
                    + ", column " + e.getLocation().getColumnNumber();
            throw new JsonShapeException(400, IssueType.STRUCTURE, "malformed XML" + where, where(path));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException e) {
                    // nothing to release beyond the byte array
                }
            }
        }
    }

    private static boolean looksNumeric(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
                return false;
            }
        }
        return true;
    }

    /** FHIRPath-like location of the current element, e.g. {@code Bundle.entry.resource.Patient.name}. */
    private static String where(Deque<String> path) {
        if (path.isEmpty()) {
            return null;
        }
        String p = String.join(".", path);
        return p.length() > 200 ? p.substring(0, 200) + "…" : p;
    }
}
