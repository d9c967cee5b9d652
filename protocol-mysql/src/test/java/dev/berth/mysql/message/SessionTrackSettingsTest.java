package dev.berth.mysql.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.message.SessionTrackSettings.TransactionInfo;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionTrackSettingsTest {
    /** What MariaDB 10.11 returns for the four variables of a new session. */
    @Test
    void mariaDbDefaults() {
        SessionTrackSettings settings = SessionTrackSettings.parse(
                "autocommit,character_set_client,character_set_connection,character_set_results,time_zone", "1", "0",
                "OFF");
        assertEquals(SessionTrackSettings.SERVER_DEFAULTS, settings);
        assertTrue(settings.shows("autocommit"));
        assertTrue(settings.shows("time_zone"));
        assertFalse(settings.shows("sql_mode"));
    }

    @Test
    void namesAreTrimmedAndLowerCased() {
        SessionTrackSettings settings = SessionTrackSettings.parse(" AutoCommit , time_zone,,sql_mode ,", "ON", "OFF",
                "off");
        assertEquals(Set.of("autocommit", "time_zone", "sql_mode"), settings.systemVariables());
        assertTrue(settings.shows("AUTOCOMMIT"));
        assertTrue(settings.shows("Sql_Mode"));
        assertFalse(settings.shows("character_set_client"));
    }

    @Test
    void constructorLowerCasesToo() {
        SessionTrackSettings settings = new SessionTrackSettings(Set.of("Time_Zone"), false, false,
                TransactionInfo.OFF);
        assertEquals(Set.of("time_zone"), settings.systemVariables());
        assertTrue(settings.shows("time_zone"));
    }

    @Test
    void emptyListShowsNoVariable() {
        SessionTrackSettings settings = SessionTrackSettings.parse("", "0", "0", "OFF");
        assertEquals(Set.of(), settings.systemVariables());
        assertFalse(settings.shows("autocommit"));
        assertEquals(Set.of(), SessionTrackSettings.parse(null, "0", "0", "OFF").systemVariables());
    }

    @Test
    void starShowsEveryVariable() {
        SessionTrackSettings settings = SessionTrackSettings.parse("*", "0", "0", "OFF");
        assertTrue(settings.shows("autocommit"));
        assertTrue(settings.shows("session_track_schema"));
        assertTrue(SessionTrackSettings.parse("autocommit, *", "0", "0", "OFF").shows("sql_mode"));
    }

    @Test
    void flags() {
        for (String on : new String[] {"ON", "on", "1", " On "}) {
            SessionTrackSettings settings = SessionTrackSettings.parse("", on, on, "OFF");
            assertTrue(settings.schema(), on);
            assertTrue(settings.stateChange(), on);
        }
        for (String off : new String[] {"OFF", "off", "0"}) {
            SessionTrackSettings settings = SessionTrackSettings.parse("", off, off, "OFF");
            assertFalse(settings.schema(), off);
            assertFalse(settings.stateChange(), off);
        }
        assertThrows(IllegalArgumentException.class, () -> SessionTrackSettings.parse("", "yes", "0", "OFF"));
        assertThrows(IllegalArgumentException.class, () -> SessionTrackSettings.parse("", "0", "2", "OFF"));
        assertThrows(IllegalArgumentException.class, () -> SessionTrackSettings.parse("", null, "0", "OFF"));
    }

    @Test
    void transactionInfo() {
        assertEquals(TransactionInfo.OFF, SessionTrackSettings.parse("", "0", "0", "OFF").transactionInfo());
        assertEquals(TransactionInfo.STATE, SessionTrackSettings.parse("", "0", "0", "state").transactionInfo());
        assertEquals(TransactionInfo.CHARACTERISTICS,
                SessionTrackSettings.parse("", "0", "0", "Characteristics").transactionInfo());
        assertThrows(IllegalArgumentException.class, () -> SessionTrackSettings.parse("", "0", "0", "ALL"));
        assertThrows(IllegalArgumentException.class, () -> SessionTrackSettings.parse("", "0", "0", ""));
    }
}
