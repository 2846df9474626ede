package org.recordline.validation.codes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Known-answer vectors: published codes that are valid, and the same codes with one digit changed. */
class CheckDigitsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2708-6", "59408-5", "8867-4", "18842-5", "8480-6", "29463-7", "4548-4"})
    void publishedLoincCodesPass(String code) {
        assertTrue(CheckDigits.loinc(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2708-5", "59408-4", "8867-3", "18842-6", "2708", "2708-66", "27A8-6", "-6", "", " 2708-6"})
    void wrongOrMisshapenLoincCodesFail(String code) {
        assertFalse(CheckDigits.loinc(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"22298006", "38341003", "44054006", "73211009", "195967001", "404684003", "138875005"})
    void publishedSnomedConceptIdsPass(String code) {
        assertTrue(CheckDigits.sctid(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"22298007", "38341004", "1234567", "022298006", "12345", "2229800A"})
    void wrongSnomedIdsFail(String code) {
        assertFalse(CheckDigits.sctid(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2363", "1428570", "84736430954837284567892"})
    void verhoeffKnownAnswers(String digits) {
        assertTrue(CheckDigits.verhoeff(digits));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2364", "1428571", "84736430954837284567891"})
    void verhoeffDetectsOneDigitChanged(String digits) {
        assertFalse(CheckDigits.verhoeff(digits));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234567893", "1245319599"})
    void npiKnownAnswers(String npi) {
        assertTrue(CheckDigits.npi(npi));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234567890", "123456789", "12345678931", "abcdefghij"})
    void wrongNpisFail(String npi) {
        assertFalse(CheckDigits.npi(npi));
    }

    @ParameterizedTest
    @ValueSource(strings = {"E11.9", "I10", "S72.001A", "Z00.00", "J45.909", "O09.891", "U07.1", "U09.9"})
    void icd10cmShapesPass(String code) {
        assertTrue(CheckDigits.icd10cmShape(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"e11.9", "11.9", "E1", "E11.", "E11.12345", "E119X", "E11-9", "1E1.1"})
    void icd10cmMisshapesFail(String code) {
        assertFalse(CheckDigits.icd10cmShape(code));
    }
}
