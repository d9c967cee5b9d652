package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.pool.PinReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StatementClassifierTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SET @a = 1                                         | USER_VARIABLES",
        "set @`quoted name`=2                               | USER_VARIABLES",
        "SET SESSION sql_mode='', @b = 3                    | USER_VARIABLES",
        "SELECT @n := COUNT(*) FROM t                       | USER_VARIABLES",
        "SELECT id INTO @id FROM t LIMIT 1                  | USER_VARIABLES",
        "CREATE TEMPORARY TABLE tmp (a INT)                 | TEMPORARY_TABLES",
        "create or replace temporary table tmp (a int)      | TEMPORARY_TABLES",
        "SELECT GET_LOCK('job', 10)                         | NAMED_LOCKS",
        "LOCK TABLES t WRITE                                | TABLE_LOCKS",
        "FLUSH TABLES t WITH READ LOCK                      | TABLE_LOCKS",
        "FLUSH TABLES WITH READ LOCK                        | TABLE_LOCKS",
        "PREPARE s FROM 'SELECT 1'                          | SQL_PREPARED_STATEMENTS",
        "HANDLER t OPEN                                     | HANDLER",
        "XA START 'x'                                       | XA",
        "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1        | FOUND_ROWS",
        "SELECT LAST_INSERT_ID(42)                          | STATE_CHANGE",
        "/*!40101 SET @old = @@sql_mode */                  | USER_VARIABLES",
        "SELECT 1; SET @late = 1                            | USER_VARIABLES",
    })
    void pins(String sql, PinReason reason) {
        assertEquals(Set.of(reason), StatementClassifier.classify(sql).pins(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1",
        "SELECT '@a := 1', \"SET @x=1\" FROM t",
        "SELECT `@a` FROM t",
        "SELECT @@sql_mode",
        "SET SESSION time_zone = '+01:00'",
        "SET NAMES utf8mb4",
        "INSERT INTO t VALUES ('GET_LOCK(1)')",
        "SELECT 1 /* CREATE TEMPORARY TABLE x */",
        "SELECT 1 -- SET @a = 1",
        "SELECT 1 # LOCK TABLES t READ",
        "UPDATE t SET a = 'x' WHERE b = 'LOCK TABLES'",
        "SELECT LAST_INSERT_ID()",
        "INSERT INTO t SELECT * FROM u",
        "SELECT 'it''s @a := 1'",
        "SELECT 'back\\\\' , @@version",
    })
    void pinsNothing(String sql) {
        assertEquals(Set.of(), StatementClassifier.classify(sql).pins(), sql);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT RELEASE_ALL_LOCKS()  | NAMED_LOCKS",
        "UNLOCK TABLES               | TABLE_LOCKS",
        "unlock table                | TABLE_LOCKS",
        "XA COMMIT 'x'               | XA",
        "XA ROLLBACK 'x'             | XA",
    })
    void unpins(String sql, PinReason reason) {
        StatementClassifier statement = StatementClassifier.classify(sql);
        assertEquals(Set.of(reason), statement.unpins(), sql);
        assertEquals(Set.of(), statement.pins(), sql);
    }

    @Test
    void setTransactionWithoutSessionHoldsForTheNextStatement() {
        assertTrue(StatementClassifier.classify("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").holdForNext());
        assertTrue(StatementClassifier.classify("set transaction read only").holdForNext());
        assertFalse(StatementClassifier.classify("SET SESSION TRANSACTION READ ONLY").holdForNext());
        assertFalse(StatementClassifier.classify("SELECT 'SET TRANSACTION'").holdForNext());
    }

    @Test
    void readsOfTheInsertIdAreSeen() {
        assertTrue(StatementClassifier.classify("SELECT LAST_INSERT_ID()").readsInsertId());
        assertTrue(StatementClassifier.classify("select last_insert_id ( )").readsInsertId());
        assertTrue(StatementClassifier.classify("SELECT @@identity").readsInsertId());
        assertTrue(StatementClassifier.classify("SELECT @@session.last_insert_id").readsInsertId());
        assertFalse(StatementClassifier.classify("SELECT 'LAST_INSERT_ID()'").readsInsertId());
        assertFalse(StatementClassifier.classify("SELECT 1").readsInsertId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHOW WARNINGS", "show errors limit 1", "SHOW COUNT(*) WARNINGS", "SELECT @@warning_count",
        "SELECT @@session.error_count", "SELECT ROW_COUNT()", "SELECT FOUND_ROWS()", "GET DIAGNOSTICS @n = NUMBER"})
    void readsOfThePreviousStatementAreSeen(String sql) {
        assertTrue(StatementClassifier.classify(sql).readsPrevious(), sql);
    }

    @Test
    void otherStatementsDoNotReadThePreviousOne() {
        assertFalse(StatementClassifier.classify("SELECT 'SHOW WARNINGS'").readsPrevious());
        assertFalse(StatementClassifier.classify("SHOW TABLES").readsPrevious());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "select @@error_count", "SET @a = 1", "DO SLEEP(0)", "SHOW WARNINGS",
        "SELECT 'FROM'", "SELECT 1;\nSELECT\n2"})
    void statementsWithoutATableKeepTheDiagnosticsBeforeThem(String sql) {
        assertTrue(StatementClassifier.classify(sql).keepsDiagnostics(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1 FROM dual", "SELECT c FROM t WHERE id = 1", "select\n1\nfrom\nt",
        "INSERT INTO t VALUES (1)", "SHOW TABLES", "SELECT 1; SELECT * FROM t", "BEGIN"})
    void statementsThatMayUseATableDoNotKeepThem(String sql) {
        assertFalse(StatementClassifier.classify(sql).keepsDiagnostics(), sql);
    }

    @Test
    void aSetThatChangesTrackingNamesEveryVariableItAssigns() {
        // What MariaDB Connector/J 3 sends after its login.
        assertEquals(List.of("sql_mode", "session_track_system_variables", "character_set_client",
                "character_set_connection", "character_set_results", "collation_connection"),
                StatementClassifier.classify("set sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'),"
                        + "session_track_system_variables = CONCAT(@@global.session_track_system_variables,"
                        + "',tx_isolation'),NAMES utf8mb4").trackingSet());
        assertEquals(List.of("session_track_schema", "time_zone"), StatementClassifier.classify(
                "SET @@SESSION.session_track_schema = OFF, GLOBAL max_connections = 10, @u = 1, LOCAL time_zone = "
                        + "'+01:00'").trackingSet());
        assertEquals(List.of(), StatementClassifier.classify("SET sql_mode = 'ANSI'").trackingSet());
        assertEquals(List.of(), StatementClassifier.classify("SELECT @@session_track_schema").trackingSet());
    }

    @Test
    void skeletonsDropStringsCommentsAndSplitStatements() {
        assertEquals(List.of("SELECT '' FROM ``", "SET @A = ''"),
                StatementClassifier.skeletons("select 'a;b' from `x;y`;  set  @a =\n'q' -- trailing"));
        assertEquals(List.of("SET @X=1"), StatementClassifier.skeletons("/*!50000 SET @x=1 */"));
        assertEquals(List.of("SELECT ''"), StatementClassifier.skeletons("SELECT 'unterminated ; SET @a=1"));
    }

    @Test
    void readsAComQueryPayloadPastItsCommandByte() {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x03).writeBytes("SET @a = 1".getBytes(StandardCharsets.UTF_8));
        assertEquals(Set.of(PinReason.USER_VARIABLES), StatementClassifier.classify(payload).pins());
        payload.release();
    }
}
