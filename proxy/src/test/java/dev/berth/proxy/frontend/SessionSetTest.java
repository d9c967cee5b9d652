package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSetTest {

    private static Map<String, String> vars(String... nameValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.put(nameValues[i], nameValues[i + 1]);
        }
        return map;
    }

    @Test
    void nothingWhenTheConnectionMatches() {
        SessionSet set = SessionSet.of(vars("time_zone", "+01:00"), vars("time_zone", "+01:00"), true, -1, -1, -1);
        assertNull(set.sql());
        assertEquals(vars("time_zone", "+01:00"), set.variables());
    }

    @Test
    void oneSetTurnsTrackingOnAndBringsEverythingElse() {
        SessionSet set = SessionSet.of(vars("sql_mode", "ANSI_QUOTES", "max_statement_time", "2.500000"),
                vars(), false, 45, 17, -1);
        assertEquals("SET " + SessionSet.TRACKING + ", character_set_client=45, character_set_results=45, "
                + "collation_connection=45, pseudo_thread_id=17, sql_mode='ANSI_QUOTES', max_statement_time=2.500000",
                set.sql());
        assertEquals(vars("sql_mode", "ANSI_QUOTES", "max_statement_time", "2.500000"), set.variables());
    }

    @Test
    void anotherClientsVariablesGoBackToDefaultFirst() {
        SessionSet set = SessionSet.of(vars("time_zone", "+02:00"),
                vars("sql_mode", "", "time_zone", "+01:00"), true, -1, -1, 7);
        assertEquals("SET sql_mode=DEFAULT, time_zone='+02:00', last_insert_id=7", set.sql());
        assertEquals(vars("time_zone", "+02:00"), set.variables());
    }

    @Test
    void aCharacterSetTheClientChoseReplacesTheHandshakes() {
        SessionSet set = SessionSet.of(vars("character_set_client", "latin1", "character_set_results", ""),
                vars(), true, 45, -1, -1);
        assertEquals("SET character_set_client='latin1', character_set_results=NULL", set.sql());
    }

    @Test
    void literalsTheServerReadsBack() {
        assertEquals("0", SessionSet.literal("autocommit", "0"));
        assertEquals("'OFF'", SessionSet.literal("autocommit", "OFF"));
        assertEquals("''", SessionSet.literal("sql_mode", ""));
        assertEquals("'STRICT_TRANS_TABLES,NO_ZERO_DATE'", SessionSet.literal("sql_mode",
                "STRICT_TRANS_TABLES,NO_ZERO_DATE"));
        assertEquals("X'6974277320615c62'", SessionSet.literal("some_text", "it's a\\b"));
    }
}
