package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A KILL hidden behind comments still runs on the server, so Berth must see it too: passed through untranslated, its
 * id would name whichever backend thread has that number, another client's perhaps.
 */
class KillStatementTest {
    private static ByteBuf query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer().writeByte(0x03).writeBytes(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"KILL 42", "  kill query 42;", "/* x */ KILL QUERY 42", "-- note\nKILL 42",
        "# note\n KILL CONNECTION 42", "/*!KILL QUERY 42*/", "/*!100000 KILL 42 */", "/*M!100000 kill query 42*/",
        "/* a */ /* b */\tKILL HARD QUERY 42"})
    void killsBehindWhitespaceAndCommentsAreFoundAndParsed(String sql) {
        ByteBuf payload = query(sql);
        assertTrue(KillStatement.looksLikeKill(payload), sql);
        KillStatement kill = KillStatement.parse(payload);
        assertEquals(42, kill.id(), sql);
        assertEquals(sql.toLowerCase().contains("query"), kill.queryOnly(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 'KILL 42'", "/* KILL 42 */ SELECT 1", "-- KILL 42\nSELECT 1", "#KILL 42", ""})
    void otherStatementsAreNotKills(String sql) {
        assertFalse(KillStatement.looksLikeKill(query(sql)), sql);
        assertNull(KillStatement.parse(query(sql)), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"KILLER", "KILL USER app", "KILL (SELECT 1)"})
    void otherKillFormsAreRefused(String sql) {
        assertNull(KillStatement.parse(query(sql)), sql);
    }

    /** The first 64 KB of a longer query: a KILL can be ruled out only when another statement has begun. */
    @ParameterizedTest
    @ValueSource(strings = {"KILL 42", "/* a comment not closed yet", "   ", "-- a comment without its newline",
        "KIL", "/*!100000", ""})
    void startsThatCannotRuleOutAKillMayBeOne(String start) {
        assertTrue(KillStatement.mayBeKill(query(start)), start);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 'KILL 42", "/* KILL */ INSERT INTO t VALUES ('", "  update t set a = '"})
    void startsOfOtherStatementsAreNoKill(String start) {
        assertFalse(KillStatement.mayBeKill(query(start)), start);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1; KILL 5", "SELECT 1;/* why */ kill query 5", "DO 1;\n-- note\nKILL CONNECTION 5",
        "SELECT 'a;b'; KILL 5", "SELECT 1; SELECT 2; KILL 5"})
    void aKillAfterAnotherStatementIsFound(String sql) {
        assertTrue(KillStatement.laterStatementIsKill(query(sql)), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT ';KILL 5'", "SELECT \"x\\\";kill 5\"", "SELECT 1 -- ; KILL 5", "SELECT 1 # ; KILL 5",
        "SELECT `a;kill 5`", "SELECT 1 /* ; KILL 5 */", "SELECT 1; SELECT 2", "KILL 5", "SELECT 1"})
    void otherQueriesHaveNoLaterKill(String sql) {
        assertFalse(KillStatement.laterStatementIsKill(query(sql)), sql);
    }
}
