package org.recordline.validation.conformance.fast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The compiled, immutable (after compile) models the walker uses. */
final class Model {

    private Model() {
    }

    /** What a JSON property holds. */
    enum Kind { PRIMITIVE, COMPLEX, RESOURCE }

    /** Type families with hand-coded checks. */
    enum Special {
        NONE, REFERENCE, EXTENSION, PERIOD, QUANTITY, ATTACHMENT, CODING, CODEABLE_CONCEPT, NARRATIVE, META, BUNDLE,
        BUNDLE_ENTRY, OBSERVATION, PATIENT_CONTACT
    }

    /** One element definition of a snapshot (one entry per element, shared by the variants of a choice). */
    static final class Element {
        final String name;
        final String path;
        final int min;
        final int max;
        final boolean array;
        final boolean choice;
        /** JSON property names that carry this element (value + "_" companions). */
        final List<String> jsonNames = new ArrayList<>();
        /** Expanded required binding or null. */
        CodeSets.CodeSet requiredBinding;

        Element(String name, String path, int min, int max, boolean array, boolean choice) {
            this.name = name;
            this.path = path;
            this.min = min;
            this.max = max;
            this.array = array;
            this.choice = choice;
        }
    }

    /** One JSON property name of an object. */
    static final class Prop {
        final Element element;
        final String jsonName;
        /** FHIR type code of the values of this property. */
        final String type;
        final Kind kind;
        final Primitives.Kind primitive;
        /** Path segment used in expressions: the name, or {@code value.ofType(Quantity)} for a choice. */
        final String segment;
        /** Model of the object values (complex types); resolved after all types are built. */
        ObjectModel model;
        /** Backbone path inside the same structure, for content references. */
        String contentReference;

        Prop(Element element, String jsonName, String type, Kind kind, Primitives.Kind primitive) {
            this.element = element;
            this.jsonName = jsonName;
            this.type = type;
            this.kind = kind;
            this.primitive = primitive;
            this.segment = element.choice ? element.name + ".ofType(" + type + ")" : element.name;
        }
    }

    /** The properties an object (resource, data type or backbone element) may have. */
    static final class ObjectModel {
        /** Type name (Patient, HumanName) or backbone path (Patient.contact). */
        final String name;
        final boolean resource;
        final boolean abstractType;
        Special special = Special.NONE;
        final Map<String, Prop> props = new HashMap<>();
        final List<Element> elements = new ArrayList<>();
        Element[] required = new Element[0];
        Element[] choices = new Element[0];

        ObjectModel(String name, boolean resource, boolean abstractType) {
            this.name = name;
            this.resource = resource;
            this.abstractType = abstractType;
        }

        void seal() {
            List<Element> req = new ArrayList<>();
            List<Element> ch = new ArrayList<>();
            for (Element e : elements) {
                if (e.min > 0) {
                    req.add(e);
                }
                if (e.choice && e.max == 1) {
                    ch.add(e);
                }
            }
            required = req.toArray(new Element[0]);
            choices = ch.toArray(new Element[0]);
        }
    }

    /** What an extension definition allows, for extensions whose StructureDefinition is known. */
    static final class ExtensionDef {
        final String url;
        /** Allowed value types (type codes); empty = value[x] not allowed (complex extension). */
        final List<String> valueTypes = new ArrayList<>();
        boolean valueProhibited;
        /** For complex extensions: the urls of sub-extensions it defines (null if unknown). */
        List<String> subExtensions;
        /** Context expressions of type element (null if any context type is not element). */
        List<String> elementContexts;

        ExtensionDef(String url) {
            this.url = url;
        }
    }

    static Map<String, Special> specials() {
        Map<String, Special> m = new HashMap<>();
        m.put("Reference", Special.REFERENCE);
        m.put("Extension", Special.EXTENSION);
        m.put("Period", Special.PERIOD);
        m.put("Quantity", Special.QUANTITY);
        m.put("Attachment", Special.ATTACHMENT);
        m.put("Coding", Special.CODING);
        m.put("CodeableConcept", Special.CODEABLE_CONCEPT);
        m.put("Narrative", Special.NARRATIVE);
        m.put("Meta", Special.META);
        m.put("Bundle", Special.BUNDLE);
        m.put("Bundle.entry", Special.BUNDLE_ENTRY);
        m.put("Observation", Special.OBSERVATION);
        m.put("Patient.contact", Special.PATIENT_CONTACT);
        return m;
    }
}
