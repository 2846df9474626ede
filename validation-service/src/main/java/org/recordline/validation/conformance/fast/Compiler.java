package org.recordline.validation.conformance.fast;

import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.UriType;

/** Builds the {@link Model} objects from the base R4 StructureDefinitions that a validation support serves. */
final class Compiler {

    static final String CORE = "http://hl7.org/fhir/StructureDefinition/";
    private static final String FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";

    final Map<String, Model.ObjectModel> types = new HashMap<>();
    final Map<String, String> baseTypeOf = new HashMap<>();
    final Map<String, Model.ExtensionDef> extensions = new HashMap<>();
    private final Map<String, Map<String, Model.ObjectModel>> pathsBySd = new HashMap<>();
    private final List<Model.Prop> allProps = new ArrayList<>();
    private final List<String> allPropSd = new ArrayList<>();
    private final CodeSets codeSets;
    private final Map<String, Model.Special> specials = Model.specials();

    Compiler(IValidationSupport support) {
        this.codeSets = new CodeSets(support);
    }

    void compile(IValidationSupport support) {
        List<IBaseResource> all = support.fetchAllStructureDefinitions();
        for (IBaseResource r : all) {
            if (!(r instanceof StructureDefinition sd) || !sd.hasUrl()) {
                continue;
            }
            if (sd.getKind() == StructureDefinition.StructureDefinitionKind.LOGICAL) {
                continue;
            }
            String url = sd.getUrl();
            boolean specialization = sd.getDerivation() == StructureDefinition.TypeDerivationRule.SPECIALIZATION
                    || !sd.hasBaseDefinition();
            if ("Extension".equals(sd.getType()) && !specialization) {
                if (!extensions.containsKey(url)) {
                    extensions.put(url, extensionDef(sd));
                }
                continue;
            }
            if (!url.startsWith(CORE) || !sd.hasSnapshot()) {
                continue;
            }
            String key = url.substring(CORE.length());
            boolean complexConstraint = sd.getKind() == StructureDefinition.StructureDefinitionKind.COMPLEXTYPE;
            if ((specialization || complexConstraint) && !types.containsKey(key)) {
                buildType(key, sd);
            }
        }
        for (int i = 0; i < allProps.size(); i++) {
            Model.Prop p = allProps.get(i);
            if (p.kind != Model.Kind.COMPLEX || p.model != null) {
                continue;
            }
            if (p.contentReference != null) {
                Map<String, Model.ObjectModel> paths = pathsBySd.get(allPropSd.get(i));
                p.model = paths == null ? null : paths.get(p.contentReference);
            } else {
                p.model = types.get(p.type);
            }
        }
        for (Map<String, Model.ObjectModel> m : pathsBySd.values()) {
            for (Model.ObjectModel om : m.values()) {
                om.seal();
            }
        }
    }

    private void buildType(String key, StructureDefinition sd) {
        List<ElementDefinition> eds = sd.getSnapshot().getElement();
        if (eds.isEmpty()) {
            return;
        }
        boolean primitiveType = sd.getKind() == StructureDefinition.StructureDefinitionKind.PRIMITIVETYPE;
        boolean resource = sd.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE;
        String rootPath = eds.get(0).getPath();
        Model.ObjectModel root = new Model.ObjectModel(key, resource, sd.getAbstract());
        root.special = specials.getOrDefault(key, Model.Special.NONE);
        Map<String, Model.ObjectModel> byPath = new HashMap<>();
        Map<String, List<Model.Prop>> propsByPath = new HashMap<>();
        byPath.put(rootPath, root);
        types.put(key, root);
        baseTypeOf.put(key, sd.getType());
        pathsBySd.put(key, byPath);
        for (int i = 1; i < eds.size(); i++) {
            ElementDefinition ed = eds.get(i);
            if (ed.hasSliceName()) {
                continue;
            }
            String path = ed.getPath();
            int dot = path.lastIndexOf('.');
            if (dot < 0) {
                continue;
            }
            String parent = path.substring(0, dot);
            String name = path.substring(dot + 1);
            if (primitiveType && "value".equals(name) && parent.equals(rootPath)) {
                continue;
            }
            Model.ObjectModel parentModel = byPath.get(parent);
            if (parentModel == null) {
                List<Model.Prop> parentProps = propsByPath.get(parent);
                if (parentProps == null) {
                    continue;
                }
                String backboneName = key + parent.substring(rootPath.length());
                parentModel = new Model.ObjectModel(backboneName, false, false);
                parentModel.special = specials.getOrDefault(backboneName, Model.Special.NONE);
                byPath.put(parent, parentModel);
                for (Model.Prop p : parentProps) {
                    p.model = parentModel;
                }
            }
            int max = "*".equals(ed.getMax()) ? Integer.MAX_VALUE : parseInt(ed.getMax(), 1);
            String baseMax = ed.hasBase() && ed.getBase().hasMax() ? ed.getBase().getMax() : ed.getMax();
            boolean array = !"1".equals(baseMax) && !"0".equals(baseMax);
            boolean choice = name.endsWith("[x]");
            String baseName = choice ? name.substring(0, name.length() - 3) : name;
            String elementPath = key + path.substring(rootPath.length());
            Model.Element el = new Model.Element(baseName, elementPath, ed.getMin(), max, array, choice);
            List<Model.Prop> props = new ArrayList<>();
            if (ed.hasContentReference()) {
                String ref = ed.getContentReference();
                ref = ref.substring(ref.indexOf('#') + 1);
                Model.Prop p = new Model.Prop(el, baseName, "BackboneElement", Model.Kind.COMPLEX, null);
                p.contentReference = ref;
                props.add(p);
            } else {
                for (ElementDefinition.TypeRefComponent t : ed.getType()) {
                    String code = effectiveCode(t);
                    if (code == null) {
                        continue;
                    }
                    Primitives.Kind pk = Primitives.kindOf(code);
                    Model.Kind kind = pk != null ? Model.Kind.PRIMITIVE
                            : ("Resource".equals(code) || "DomainResource".equals(code)) ? Model.Kind.RESOURCE
                            : Model.Kind.COMPLEX;
                    String jsonName = choice ? baseName + Character.toUpperCase(code.charAt(0)) + code.substring(1)
                            : baseName;
                    if (!choice && !props.isEmpty()) {
                        break;
                    }
                    props.add(new Model.Prop(el, jsonName, code, kind, pk));
                }
            }
            if (props.isEmpty()) {
                continue;
            }
            for (Model.Prop p : props) {
                el.jsonNames.add(p.jsonName);
                if (p.kind == Model.Kind.PRIMITIVE) {
                    el.jsonNames.add("_" + p.jsonName);
                }
                parentModel.props.put(p.jsonName, p);
                allProps.add(p);
                allPropSd.add(key);
            }
            parentModel.elements.add(el);
            propsByPath.put(path, props);
            if (ed.hasBinding() && ed.getBinding().getStrength() == Enumerations.BindingStrength.REQUIRED
                    && ed.getBinding().hasValueSet()) {
                String t = props.get(0).type;
                if ("code".equals(t) || "Coding".equals(t) || "CodeableConcept".equals(t)) {
                    el.requiredBinding = codeSets.get(ed.getBinding().getValueSet());
                }
            }
        }
    }

    private static String effectiveCode(ElementDefinition.TypeRefComponent t) {
        String code = t.getCode();
        if (code == null) {
            return null;
        }
        if (code.startsWith("http://hl7.org/fhirpath/System.")) {
            Extension ext = t.getExtensionByUrl(FHIR_TYPE_EXT);
            if (ext != null && ext.getValue() != null && ext.getValue().primitiveValue() != null) {
                return ext.getValue().primitiveValue();
            }
            Extension ext2 = t.getCodeElement().getExtensionByUrl(FHIR_TYPE_EXT);
            if (ext2 != null && ext2.getValue() != null && ext2.getValue().primitiveValue() != null) {
                return ext2.getValue().primitiveValue();
            }
        }
        return code;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return Integer.parseInt(s);
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    private static Model.ExtensionDef extensionDef(StructureDefinition sd) {
        Model.ExtensionDef def = new Model.ExtensionDef(sd.getUrl());
        List<ElementDefinition> eds = sd.hasSnapshot() ? sd.getSnapshot().getElement()
                : sd.getDifferential().getElement();
        List<String> subs = new ArrayList<>();
        boolean sawSlices = false;
        for (ElementDefinition ed : eds) {
            String id = ed.hasId() ? ed.getId() : ed.getPath();
            if ("Extension.value[x]".equals(id)) {
                if ("0".equals(ed.getMax())) {
                    def.valueProhibited = true;
                } else {
                    for (ElementDefinition.TypeRefComponent t : ed.getType()) {
                        if (t.hasCode()) {
                            def.valueTypes.add(t.getCode());
                        }
                    }
                }
            } else if (id.startsWith("Extension.extension:") && id.endsWith(".url") && id.indexOf('.', 20) == id.length() - 4
                    && ed.hasFixed() && ed.getFixed() instanceof UriType u) {
                subs.add(u.getValue());
                sawSlices = true;
            } else if (id.startsWith("Extension.extension:") && id.indexOf('.', 20) < 0) {
                sawSlices = true;
            }
        }
        if (sawSlices && sd.hasSnapshot()) {
            def.subExtensions = subs;
        }
        if (sd.hasContext()) {
            List<String> ctx = new ArrayList<>();
            for (StructureDefinition.StructureDefinitionContextComponent c : sd.getContext()) {
                String expr = c.getExpression();
                if (expr == null || c.getType() == null) {
                    ctx = null;
                    break;
                }
                switch (c.getType()) {
                    case ELEMENT:
                        ctx.add(expr);
                        break;
                    case EXTENSION:
                        ctx.add("ext:" + expr);
                        break;
                    case FHIRPATH: {
                        int paren = expr.indexOf('(');
                        String head = paren < 0 ? expr : expr.substring(0, paren);
                        int dot = head.lastIndexOf('.');
                        if (paren >= 0 && dot > 0) {
                            head = head.substring(0, dot);
                        }
                        if (!head.matches("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*")) {
                            ctx = null;
                        } else {
                            ctx.add(head);
                        }
                        break;
                    }
                    default:
                        ctx = null;
                }
                if (ctx == null) {
                    break;
                }
            }
            def.elementContexts = ctx;
        }
        return def;
    }
}
