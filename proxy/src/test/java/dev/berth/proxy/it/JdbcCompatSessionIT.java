package dev.berth.proxy.it;

import static dev.berth.proxy.it.support.JdbcTargets.admin;
import static dev.berth.proxy.it.support.JdbcTargets.allResults;
import static dev.berth.proxy.it.support.JdbcTargets.assertSame;
import static dev.berth.proxy.it.support.JdbcTargets.connect;
import static dev.berth.proxy.it.support.JdbcTargets.describe;
import static dev.berth.proxy.it.support.JdbcTargets.sameOnBoth;
import static dev.berth.proxy.it.support.JdbcTargets.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.JdbcTargets;
import dev.berth.proxy.it.support.JdbcTargets.Mode;
import dev.berth.proxy.it.support.JdbcTargets.Path;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Session behaviour through Berth, for both JDBC drivers with server-side prepared statements on and off, each
 * compared with a direct connection to the same server in the same run: multi-statements, server errors, stored
 * procedures, schema changes, LOAD DATA LOCAL INFILE, ping, reset and change-user.
 */
class JdbcCompatSessionIT {
    private static final String OTHER_DB = "berth_it_other";
    private static final String ERR_TABLE = "jcs_err";
    /** A server account for the direct change-user; through Berth, {@code other} is Berth's own account. */
    private static final String SERVER_OTHER = "jcs_other";
    private static final String OTHER_PASSWORD = "pw2";
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start("--user", "other:" + OTHER_PASSWORD);
        TestDatabase.get().createUser(SERVER_OTHER, OTHER_PASSWORD, null);
        admin("DROP TABLE IF EXISTS " + ERR_TABLE, "CREATE TABLE " + ERR_TABLE + " (id INT PRIMARY KEY, v INT)",
                "INSERT INTO " + ERR_TABLE + " VALUES (1, 10)",
                "CREATE DATABASE IF NOT EXISTS " + OTHER_DB,
                "CREATE TABLE IF NOT EXISTS " + OTHER_DB + ".jcs_cat (v VARCHAR(20))",
                "DELETE FROM " + OTHER_DB + ".jcs_cat", "INSERT INTO " + OTHER_DB + ".jcs_cat VALUES ('other')",
                "DROP PROCEDURE IF EXISTS jcs_proc",
                "CREATE PROCEDURE jcs_proc(IN n INT) BEGIN SELECT n AS v, 'x' AS s; SELECT n * 2 AS w, NULL AS z;"
                        + " END",
                "DROP PROCEDURE IF EXISTS jcs_proc_out",
                "CREATE PROCEDURE jcs_proc_out(IN a INT, OUT b INT, INOUT c VARCHAR(20)) BEGIN SET b = a + 1;"
                        + " SET c = CONCAT(c, '!'); SELECT a AS a_in; END");
        String infile = scalar(TestDatabase.get().rootConnection(), "SELECT @@GLOBAL.local_infile");
        if (!"1".equals(infile) && !"ON".equalsIgnoreCase(infile)) {
            admin("SET GLOBAL local_infile = 1");
        }
    }

    @AfterAll
    static void stop() throws SQLException {
        if (berth != null) {
            berth.close();
        }
        TestDatabase.get().dropUser(SERVER_OTHER);
    }

    static Stream<Mode> modes() {
        return JdbcTargets.modes();
    }

    static Stream<Mode> connectorJModes() {
        return JdbcTargets.modes().filter(Mode::mysql);
    }

    private static Connection open(Mode mode, Path path, String extra) throws SQLException {
        return connect(berth, mode, path, extra);
    }

    // ---- multi-statements ---------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void multiStatementsAndMultipleResultSets(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcs_multi", path);
            admin("DROP TABLE IF EXISTS " + t,
                    "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "allowMultiQueries=true"); Statement s = c.createStatement()) {
                boolean first = s.execute("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c; INSERT INTO " + t
                        + " (v) VALUES (5), (6); UPDATE " + t + " SET v = v + 1; SELECT id, v FROM " + t
                        + " ORDER BY id; SELECT LAST_INSERT_ID()");
                out.addAll(allResults(s, first));
                // An error in the middle: the statements before it ran, the client gets the server's error.
                try {
                    first = s.execute("SELECT 'before'; SELECT * FROM no_such_table_jcs; SELECT 'after'");
                    out.add("first " + first);
                    out.addAll(allResults(s, first));
                } catch (SQLException e) {
                    out.add("error " + describe(e));
                }
                out.add("still usable " + scalar(c, "SELECT 42"));
            }
            return out;
        });
        assertTrue(seen.stream().anyMatch(l -> l.startsWith("update count 2")), seen.toString());
        assertEquals("still usable 42", seen.get(seen.size() - 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void withoutAllowMultiQueriesTwoStatementsAreRefusedAsDirect(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, ""); Statement s = c.createStatement()) {
                try {
                    boolean first = s.execute("SELECT 1; SELECT 2");
                    out.add("executed " + allResults(s, first));
                } catch (SQLException e) {
                    out.add("refused " + e.getErrorCode() + "/" + e.getSQLState());
                }
                out.add("still usable " + scalar(c, "SELECT 42"));
            }
            return out;
        });
        assertEquals(List.of("refused 1064/42000", "still usable 42"), seen);
    }

    // ---- errors -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void serverErrorsKeepTheirCodesAndSqlStates(Mode mode) throws Exception {
        String[] failing = {
            "INSERT INTO " + ERR_TABLE + " VALUES (1, 11)", // duplicate key
            "SELECT * FROM jcs_no_such_table",              // unknown table
            "SELEC 1",                                      // syntax
            "SELECT no_such_column FROM " + ERR_TABLE,      // unknown column
            "INSERT INTO " + ERR_TABLE + " (id, v) VALUES (NULL, 1)", // NOT NULL
        };
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                for (String sql : failing) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                        out.add("statement ran: " + sql);
                    } catch (SQLException e) {
                        out.add("statement " + describe(e));
                    }
                    try (PreparedStatement p = c.prepareStatement(sql)) {
                        p.execute();
                        out.add("prepared ran: " + sql);
                    } catch (SQLException e) {
                        out.add("prepared " + describe(e));
                    }
                }
                // Inside a transaction the error leaves the transaction open, as on the server.
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + ERR_TABLE + " SET v = v + 1 WHERE id = 1");
                    try {
                        s.executeUpdate("INSERT INTO " + ERR_TABLE + " VALUES (1, 0)");
                    } catch (SQLException e) {
                        out.add("in transaction " + describe(e));
                    }
                    out.add("own update visible " + scalar(c, "SELECT v FROM " + ERR_TABLE + " WHERE id = 1"));
                    c.rollback();
                }
                c.setAutoCommit(true);
                out.add("after rollback " + scalar(c, "SELECT v FROM " + ERR_TABLE + " WHERE id = 1"));
            }
            return out;
        });
        String all = String.join("\n", seen);
        for (String code : new String[] {" 1062/23000: ", " 1146/42S02: ", " 1064/42000: ", " 1054/42S22: "}) {
            assertTrue(all.contains("statement") && all.contains(code), code + " missing in\n" + all);
        }
        assertTrue(all.contains("own update visible 11") && all.contains("after rollback 10"), all);
    }

    // ---- stored procedures --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void storedProcedureResultSetsAndFinalOk(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                try (Statement s = c.createStatement()) {
                    out.add("statement");
                    out.addAll(allResults(s, s.execute("CALL jcs_proc(3)")));
                }
                try (CallableStatement call = c.prepareCall("{call jcs_proc(?)}")) {
                    call.setInt(1, 4);
                    out.add("callable");
                    out.addAll(allResults(call, call.execute()));
                }
                try (CallableStatement call = c.prepareCall("{call jcs_proc_out(?, ?, ?)}")) {
                    call.setInt(1, 7);
                    call.registerOutParameter(2, Types.INTEGER);
                    call.setString(3, "hey");
                    call.registerOutParameter(3, Types.VARCHAR);
                    out.add("out params");
                    out.addAll(allResults(call, call.execute()));
                    out.add("b=" + call.getInt(2) + " c=" + call.getString(3));
                }
                out.add("still usable " + scalar(c, "SELECT 42"));
            }
            return out;
        });
        assertTrue(seen.contains("b=8 c=hey!"), seen.toString());
        assertTrue(seen.contains("6 / Integer:6 | null / null") || seen.stream().anyMatch(l -> l.startsWith("6 / ")),
                seen.toString());
    }

    // ---- schema changes -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void setCatalogAndUseSwitchTheSchemaAndBack(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                out.add("start " + scalar(c, "SELECT DATABASE()") + " catalog " + c.getCatalog());
                c.setCatalog(OTHER_DB);
                out.add("setCatalog " + scalar(c, "SELECT DATABASE()") + " catalog " + c.getCatalog() + " reads "
                        + scalar(c, "SELECT v FROM jcs_cat"));
                try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM jcs_cat WHERE v = ?")) {
                    p.setString(1, "other");
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        out.add("prepared in other " + rs.getInt(1));
                    }
                }
                c.setCatalog(TestDatabase.DATABASE);
                out.add("back " + scalar(c, "SELECT DATABASE()") + " catalog " + c.getCatalog());
                try (Statement s = c.createStatement()) {
                    s.execute("USE " + OTHER_DB);
                    out.add("USE " + scalar(c, "SELECT DATABASE()") + " reads " + scalar(c, "SELECT v FROM jcs_cat"));
                    s.execute("USE " + TestDatabase.DATABASE);
                    out.add("USE back " + scalar(c, "SELECT DATABASE()"));
                    try {
                        s.execute("USE berth_it_no_such_db");
                    } catch (SQLException e) {
                        out.add("USE missing " + e.getErrorCode() + "/" + e.getSQLState());
                    }
                    try {
                        c.setCatalog("berth_it_no_such_db");
                    } catch (SQLException e) {
                        out.add("setCatalog missing " + e.getErrorCode() + "/" + e.getSQLState());
                    }
                    out.add("after failures " + scalar(c, "SELECT DATABASE()"));
                }
            }
            return out;
        });
        assertEquals("start berth_it catalog berth_it", seen.get(0));
        assertTrue(seen.contains("USE berth_it_other reads other") && seen.contains("USE back berth_it")
                && seen.contains("after failures berth_it"), seen.toString());
    }

    // ---- LOAD DATA LOCAL INFILE ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void loadDataLocalInfile(Mode mode) throws Exception {
        java.nio.file.Path file = Files.createTempFile("berth-jcs-infile-", ".tsv");
        try {
            StringBuilder content = new StringBuilder();
            for (int i = 1; i <= 50_000; i++) {
                content.append(i).append('\t').append("line ").append(i).append(i % 1000 == 0 ? " 😀" : "")
                        .append('\n');
            }
            Files.writeString(file, content, StandardCharsets.UTF_8); // about 700 KB: many packets
            String enable = mode.mysql() ? "allowLoadLocalInfile=true" : "allowLocalInfile=true";
            List<String> seen = sameOnBoth(path -> {
                String t = mode.table("jcs_infile", path);
                admin("DROP TABLE IF EXISTS " + t,
                        "CREATE TABLE " + t + " (id INT PRIMARY KEY, s VARCHAR(40)) DEFAULT CHARSET=utf8mb4");
                String load = "LOAD DATA LOCAL INFILE '" + file.toString().replace("\\", "\\\\") + "' INTO TABLE "
                        + t + " CHARACTER SET utf8mb4 (id, s)";
                List<String> out = new ArrayList<>();
                try (Connection c = open(mode, path, enable); Statement s = c.createStatement()) {
                    out.add("loaded " + s.executeUpdate(load));
                    out.add("rows " + scalar(c, "SELECT CONCAT(COUNT(*), ' ', SUM(id), ' ', SUM(CRC32(s))) FROM " + t));
                    out.add("emoji " + scalar(c, "SELECT s FROM " + t + " WHERE id = 3000"));
                    out.add("still usable " + scalar(c, "SELECT 42"));
                }
                return out;
            });
            assertEquals("loaded 50000", seen.get(0));
            assertEquals("emoji line 3000 😀", seen.get(2));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void loadDataLocalInfileWithoutTheClientOptionFailsAndTheConnectionStaysUsable(Mode mode) throws Exception {
        java.nio.file.Path file = Files.createTempFile("berth-jcs-noinfile-", ".tsv");
        try {
            Files.writeString(file, "1\tone\n2\ttwo\n", StandardCharsets.UTF_8);
            String disable = mode.mysql() ? "allowLoadLocalInfile=false" : "allowLocalInfile=false";
            for (Path path : Path.values()) {
                String t = mode.table("jcs_noinfile", path);
                admin("DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t + " (id INT PRIMARY KEY, s VARCHAR(40))");
                try (Connection c = open(mode, path, disable); Statement s = c.createStatement()) {
                    SQLException refused = null;
                    try {
                        s.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE " + t);
                    } catch (SQLException e) {
                        refused = e;
                    }
                    assertTrue(refused != null, path + ": LOAD DATA LOCAL ran without the client option");
                    assertEquals("1", scalar(c, "SELECT 1"), path + ": connection unusable after " + refused);
                    assertEquals("0", scalar(c, "SELECT COUNT(*) FROM " + t), path.toString());
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- ping, reset, change user -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void isValidPingAndReset(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            // MariaDB Connector/J's reset() sends COM_RESET_CONNECTION only with useResetConnection=true.
            try (Connection c = open(mode, path, mode.mysql() ? "" : "useResetConnection=true")) {
                out.add("valid before any query " + c.isValid(5));
                try (Statement s = c.createStatement()) {
                    s.execute("SET @jcs_var = 42");
                    if (mode.serverPrep()) {
                        try (PreparedStatement p = c.prepareStatement("SELECT ? + 1")) {
                            p.setInt(1, 1);
                            p.executeQuery().close();
                        }
                    }
                }
                out.add("valid " + c.isValid(5) + " var " + scalar(c, "SELECT @jcs_var"));
                if (mode.mysql()) {
                    c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).ping();
                    out.add("ping ok");
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("/* ping */ SELECT 1")) {
                        out.add("ping query " + rs.next());
                    }
                    c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).resetServerState();
                } else {
                    c.unwrap(org.mariadb.jdbc.Connection.class).reset();
                }
                out.add("after reset var " + scalar(c, "SELECT @jcs_var") + " db " + scalar(c, "SELECT DATABASE()")
                        + " autocommit " + c.getAutoCommit() + " valid " + c.isValid(5));
                try (PreparedStatement p = c.prepareStatement("SELECT ? * 2")) {
                    p.setInt(1, 21);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        out.add("prepared after reset " + rs.getInt(1));
                    }
                }
            }
            return out;
        });
        assertEquals("valid before any query true", seen.get(0));
        assertTrue(seen.contains("after reset var null db berth_it autocommit true valid true"), seen.toString());
        assertTrue(seen.contains("prepared after reset 42"), seen.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectorJModes")
    void changeUserResetsTheSession(Mode mode) throws Exception {
        // Direct, the server switches to its account jcs_other; through Berth, Berth checks its own account
        // 'other' and the backend's user stays what it was. Either way the session state is gone.
        List<String> seen = new ArrayList<>();
        for (Path path : Path.values()) {
            String newUser = path == Path.DIRECT ? SERVER_OTHER : "other";
            try (Connection c = open(mode, path, "")) {
                String userBefore = scalar(c, "SELECT CURRENT_USER()");
                try (Statement s = c.createStatement()) {
                    s.execute("SET @jcs_var = 'kept?'");
                }
                c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser(newUser, OTHER_PASSWORD);
                String userAfter = scalar(c, "SELECT CURRENT_USER()");
                if (path == Path.BERTH) {
                    assertEquals(userBefore, userAfter, "through Berth the backend account must not change");
                } else {
                    assertNotEquals(userBefore, userAfter);
                    assertTrue(userAfter.startsWith(SERVER_OTHER + "@"), userAfter);
                }
                seen.add(path + " var " + scalar(c, "SELECT @jcs_var") + " db " + scalar(c, "SELECT DATABASE()")
                        + " works " + scalar(c, "SELECT COUNT(*) FROM " + ERR_TABLE));
                SQLException denied = null;
                try {
                    c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser(newUser, "wrong-password");
                } catch (SQLException e) {
                    denied = e;
                }
                assertTrue(denied != null, path + ": change-user with a wrong password was accepted");
                seen.add(path + " wrong password " + denied.getErrorCode() + "/" + denied.getSQLState());
            }
        }
        assertEquals(List.of("DIRECT var null db berth_it works 1", "DIRECT wrong password 1045/28000",
                "BERTH var null db berth_it works 1", "BERTH wrong password 1045/28000"), seen);
        assertFalse(seen.isEmpty());
    }
}
