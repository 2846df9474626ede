package org.recordline.index.domain.matching;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/** What matching compares, read from a FHIR Patient. */
public final class PatientDemographics {

    /** Identifier type (v2 table 0203) of a national identifier such as a social security number. */
    private static final Set<String> NATIONAL_TYPES = Set.of("SS", "SB", "NI", "NIIP");

    private PatientDemographics() {
    }

    /**
     * The Patient's demographics: its official (else first) name, birth date, gender, home (else first) address, first
     * phone; an identifier whose system is one of {@code nationalIdSystems} (or whose type says so) is the national
     * id, every other identifier with a system and a value an MRN of that system.
     */
    public static Demographics of(Patient p, Set<String> nationalIdSystems) {
        HumanName name = p.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL).findFirst()
                .orElse(p.getName().isEmpty() ? null : p.getName().get(0));
        String given = name == null || name.getGiven().isEmpty() ? null : name.getGiven().get(0).getValue();
        String family = name == null ? null : name.getFamily();
        Address address = p.getAddress().stream().filter(a -> a.getUse() == Address.AddressUse.HOME).findFirst()
                .orElse(p.getAddress().isEmpty() ? null : p.getAddress().get(0));
        String line = address == null || address.getLine().isEmpty() ? null : address.getLine().get(0).getValue();
        String phone = p.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE)
                .map(ContactPoint::getValue).findFirst().orElse(null);
        String nationalId = null;
        List<String> mrns = new ArrayList<>();
        for (Identifier i : p.getIdentifier()) {
            if (!i.hasSystem() || !i.hasValue()) {
                continue;
            }
            boolean national = nationalIdSystems.contains(i.getSystem()) || i.getType().getCoding().stream()
                    .anyMatch(c -> NATIONAL_TYPES.contains(c.getCode()));
            if (national) {
                nationalId = nationalId == null ? i.getValue() : nationalId;
            } else {
                mrns.add(i.getSystem() + "|" + i.getValue());
            }
        }
        return new Demographics(given, family, p.hasBirthDateElement() ? p.getBirthDateElement().getValueAsString()
                : null, p.hasGender() ? p.getGender().toCode() : null, line,
                address == null ? null : address.getCity(), address == null ? null : address.getPostalCode(),
                address == null ? null : address.getState(), phone, nationalId, mrns);
    }
}
