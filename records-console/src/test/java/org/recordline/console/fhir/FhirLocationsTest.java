package org.recordline.console.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FhirLocationsTest {

    static final String PATIENT = """
            {"resourceType":"Patient","id":"p1","name":[{"family":"Chalmers","given":["Peter","James"]}],
             "gender":"male"}""";

    /**
     * The pretty text, written out by hand: the line numbers below are counted on it, not computed by the code
     * under test.
     */
    static final String PATIENT_PRETTY = """
            {
              "resourceType" : "Patient",
              "id" : "p1",
              "name" : [ {
                "family" : "Chalmers",
                "given" : [ "Peter", "James" ]
              } ],
              "gender" : "male"
            }""";

    @Test
    void prettyPrintsOneMemberPerLine() {
        FhirLocations l = FhirLocations.of(PATIENT);
        assertEquals(PATIENT_PRETTY, l.text());
        assertEquals(9, l.lineCount());
    }

    @Test
    void findsPresentElements() {
        FhirLocations l = FhirLocations.of(PATIENT);
        assertEquals(8, l.line("Patient.gender"));
        assertEquals(4, l.line("Patient.name"));
        assertEquals(4, l.line("Patient.name[0]"));
        assertEquals(5, l.line("Patient.name[0].family"));
        assertEquals(6, l.line("Patient.name[0].given[1]"));
    }

    @Test
    void missingElementsPointAtTheirNearestParent() {
        FhirLocations l = FhirLocations.of(PATIENT);
        // a required identifier that is absent: the resource itself
        assertEquals(1, l.line("Patient.identifier"));
        assertEquals(4, l.line("Patient.name[0].prefix"));
        assertEquals(1, l.line(null));
        assertEquals(1, l.line(""));
        // functions end the path: the element before them
        assertEquals(4, l.line("Patient.name.where(use = 'official')"));
    }

    @Test
    void bundleEntriesAndHapiComments() {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Patient","id":"a"}},
                 {"resource":{"resourceType":"Observation","id":"o","status":"final"}}]}""";
        FhirLocations l = FhirLocations.of(bundle);
        String[] lines = l.text().split("\n");
        assertEquals("      \"status\" : \"final\"", lines[l.line("Bundle.entry[1].resource.status") - 1]);
        assertEquals("      \"status\" : \"final\"",
                lines[l.line("Bundle.entry[1].resource/*Observation/o*/.status") - 1]);
        assertEquals("  }, {", lines[l.line("Bundle.entry[1]") - 1]);
        assertEquals("    \"resource\" : {", lines[l.line("Bundle.entry[1].resource.code") - 1]);
    }

    @Test
    void segmentsOfExpressions() {
        assertEquals(List.of("name", "0", "family"), FhirLocations.segments("Patient.name[0].family"));
        assertEquals(List.of("birthDate"), FhirLocations.segments("birthDate"));
        assertEquals(List.of("entry", "2", "resource", "gender"),
                FhirLocations.segments("Bundle.entry[2].resource/*Patient/x*/.gender"));
        assertEquals(List.of("identifier"), FhirLocations.segments("Patient.identifier.exists()"));
    }

    @Test
    void refusesWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> FhirLocations.of("{not json"));
        assertThrows(IllegalArgumentException.class, () -> FhirLocations.of(""));
    }
}
