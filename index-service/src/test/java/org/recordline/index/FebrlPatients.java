package org.recordline.index;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.recordline.testsupport.SharedData;

/** People of FEBRL's first data set (originals with their duplicates) as FHIR Patients, for the filing tests. */
public final class FebrlPatients {

    private FebrlPatients() {
    }

    /** FEBRL's first data set, as Patients: the originals that have duplicates, and their duplicates. */
    public static List<String[]> people(int originals) throws Exception {
        List<String> lines = Files.readAllLines(SharedData.root().resolve("febrl").resolve("dataset1.csv"));
        Map<String, List<String[]>> byPerson = new java.util.TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            for (int i = 0; i < c.length; i++) {
                c[i] = c[i].strip();
            }
            String dob = c[9];
            try {
                java.time.LocalDate.parse(dob, java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
            } catch (RuntimeException e) {
                continue; // FHIR would refuse the date: such a record never reaches the index
            }
            byPerson.computeIfAbsent(c[0].replaceAll("-(org|dup-\\d+)$", ""), k -> new java.util.ArrayList<>())
                    .add(c);
        }
        List<String[]> out = new java.util.ArrayList<>();
        byPerson.values().stream().filter(g -> g.size() > 1).limit(originals).forEach(out::addAll);
        return out;
    }

    public static String patient(String[] c) {
        String dob = c[9].substring(0, 4) + "-" + c[9].substring(4, 6) + "-" + c[9].substring(6, 8);
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Patient\",\"birthDate\":\"" + dob + "\"");
        if (!c[10].isEmpty()) {
            b.append(",\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-ssn\",\"value\":\"").append(c[10])
                    .append("\"}]");
        }
        b.append(",\"name\":[{").append(c[2].isEmpty() ? "" : "\"family\":\"" + c[2] + "\"")
                .append(c[1].isEmpty() ? "" : (c[2].isEmpty() ? "" : ",") + "\"given\":[\"" + c[1] + "\"]")
                .append("}],\"address\":[{\"line\":[\"").append((c[3] + " " + c[4]).strip()).append("\"],\"city\":\"")
                .append(c[6]).append("\",\"postalCode\":\"").append(c[7]).append("\",\"state\":\"").append(c[8])
                .append("\"}]}");
        return b.toString();
    }
}
