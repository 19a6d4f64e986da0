package io.autoftp.client;

import static io.autoftp.client.DataChannelMode.EPRT;
import static io.autoftp.client.DataChannelMode.EPSV;
import static io.autoftp.client.DataChannelMode.PASV;
import static io.autoftp.client.DataChannelMode.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataChannelPolicyTest {

    private static final String OPTION = "ftpDataChannelOption";

    private static List<DataChannelMode> modes(String csv) {
        return csv.isBlank() ? List.of()
                : java.util.Arrays.stream(csv.split(" ")).map(DataChannelMode::valueOf).toList();
    }

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "message '" + message + "' should contain '" + fragment + "'");
        }
    }

    @Test
    void autoTriesPassiveFirstThenActive() {
        DataChannelPolicy auto = DataChannelPolicy.auto();
        assertEquals(List.of(EPSV, PASV, EPRT, PORT), auto.order());
        assertEquals(List.of(EPSV, PASV, EPRT, PORT), auto.modesFor(false));
        assertTrue(auto.isAdaptive());
        assertEquals("auto", auto.toString());
    }

    @Test
    void autoActiveFirstTriesActiveFirst() {
        DataChannelPolicy policy = DataChannelPolicy.autoActiveFirst();
        assertEquals(List.of(EPRT, PORT, EPSV, PASV), policy.order());
        assertEquals(List.of(EPRT, EPSV), policy.modesFor(true));
        assertTrue(policy.isAdaptive());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "auto; EPSV PASV EPRT PORT; auto",
            "' AUTO '; EPSV PASV EPRT PORT; auto",
            "Auto; EPSV PASV EPRT PORT; auto",
            "passive; EPSV PASV; passive",
            "PASSIVE; EPSV PASV; passive",
            "' Passive  '; EPSV PASV; passive",
            "active; EPRT PORT; active",
            "ACTIVE; EPRT PORT; active",
            "EPSV,PASV,EPRT,PORT; EPSV PASV EPRT PORT; EPSV,PASV,EPRT,PORT",
            "PORT,EPSV; PORT EPSV; PORT,EPSV",
            "' pasv , Eprt '; PASV EPRT; PASV,EPRT",
            "eprt,port,epsv,pasv; EPRT PORT EPSV PASV; EPRT,PORT,EPSV,PASV",
            "port; PORT; PORT",
            "EPSV; EPSV; EPSV",
    })
    void parsesKeywordsAndListsCaseInsensitively(String value, String expected, String text) {
        DataChannelPolicy policy = DataChannelPolicy.parse(value, OPTION);
        assertEquals(modes(expected), policy.order());
        assertEquals(modes(expected), policy.modesFor(false));
        assertEquals(text, policy.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "auto; EPSV EPRT",
            "passive; EPSV",
            "active; EPRT",
            "PORT,EPRT,PASV,EPSV; EPRT EPSV",
            "PASV,EPSV; EPSV",
            "EPRT; EPRT",
            "PORT,PASV; ''",
    })
    void ipv6KeepsOnlyTheExtendedModesInOrder(String value, String expected) {
        DataChannelPolicy policy = DataChannelPolicy.parse(value, OPTION);
        assertEquals(modes(expected), policy.modesFor(true));
        // the IPv4 order is untouched by asking for IPv6
        assertEquals(policy.order(), policy.modesFor(false));
    }

    @Test
    void orderCannotBeModified() {
        DataChannelPolicy policy = DataChannelPolicy.parse("EPSV,PORT", OPTION);
        assertThrows(UnsupportedOperationException.class, () -> policy.order().add(PASV));
        assertThrows(UnsupportedOperationException.class, () -> policy.modesFor(true).clear());
    }

    @ParameterizedTest
    @CsvSource({ "EPSV, false", "port, false", "' PASV ', false", "'EPSV,PASV', true", "passive, true",
            "active, true", "auto, true", "'PORT,EPRT,EPSV', true" })
    void isAdaptiveOnlyWithMoreThanOneMode(String value, boolean adaptive) {
        assertEquals(adaptive, DataChannelPolicy.parse(value, OPTION).isAdaptive());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", "   ", "\t" })
    void rejectsEmptyValueNamingTheOption(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataChannelPolicy.parse(value, OPTION));
        assertContains(e.getMessage(), OPTION, "must not be empty");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "ftp; ftp",
            "passiv; passiv",
            "EPSV,XPSV; XPSV",
            "EPSV, LPSV ,PORT; LPSV",
            "auto,PORT; auto",
            "PORT,auto; auto",
            "passive,active; passive",
            "'EPSV;PASV'; 'EPSV;PASV'",
            "EPSV PASV; EPSV PASV",
            "EPSV,,PASV; ''",
            ",EPSV; ''",
    })
    void rejectsUnknownModesNamingTheOptionAndTheValue(String value, String badPart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataChannelPolicy.parse(value, OPTION));
        assertContains(e.getMessage(), OPTION, "'" + value + "'", "'" + badPart + "' is not one of");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "EPSV,PASV,EPSV; EPSV",
            "port,PORT; PORT",
            "EPRT, pasv ,Eprt; EPRT",
    })
    void rejectsDuplicatesNamingTheOptionAndTheValue(String value, String duplicate) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataChannelPolicy.parse(value, OPTION));
        assertContains(e.getMessage(), OPTION, "'" + value + "'", duplicate + " is listed twice");
    }

    @Test
    void errorNamesTheOptionItWasGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataChannelPolicy.parse("bogus", "someOtherOption"));
        assertContains(e.getMessage(), "someOtherOption", "'bogus'");
        assertFalse(e.getMessage().contains(OPTION));
    }

    @ParameterizedTest
    @ValueSource(strings = { ",", ",,", " , ", "EPSV,", "EPSV,PASV,," })
    void rejectsListsWithEmptyEntries(String value) {
        // empty entries (also trailing ones, which String.split drops) fail at configuration time
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataChannelPolicy.parse(value, OPTION));
        assertContains(e.getMessage(), OPTION);
    }
}
