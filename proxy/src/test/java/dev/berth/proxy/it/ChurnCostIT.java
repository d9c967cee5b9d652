package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a churned client (connect, one statement, disconnect) costs on the backend, read from the server's own general
 * log: on a connection already reset once, a client in the login's character set gets no SET NAMES, only its
 * connection id, which is not waited for.
 */
class ChurnCostIT {

    @Test
    void aChurnedClientInTheLoginsCharacterSetGetsNoSetNames() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--pool-mode", "session", "--max-open-conns", "1");
             Connection root = TestDatabase.get().rootConnection(); Statement st = root.createStatement()) {
            churn(berth, "berth-churn-first"); // the connection's first reset: Berth learns what a reset leaves
            String logOutput = value(st, "SELECT @@global.log_output");
            String generalLog = value(st, "SELECT @@global.general_log");
            st.execute("SET GLOBAL log_output = 'TABLE'");
            st.execute("SET GLOBAL general_log = ON");
            List<String> sent;
            try {
                churn(berth, "berth-churn-second");
                sent = sentByTheConnectionThatRan(st, "berth-churn-second");
            } finally {
                st.execute("SET GLOBAL general_log = " + generalLog);
                st.execute("SET GLOBAL log_output = '" + logOutput + "'");
            }
            assertTrue(sent.stream().noneMatch(s -> s.contains("character_set")), sent.toString());
            // The server does not log COM_RESET_CONNECTION, which comes right before the scrub.
            assertEquals(List.of("Query: SET pseudo_thread_id=", "Query: SELECT 'berth-churn-second'",
                            "Query: SELECT 1 FROM DUAL WHERE LAST_INSERT_ID(0)"),
                    sent.stream().map(s -> s.replaceAll("pseudo_thread_id=\\d+", "pseudo_thread_id=")).toList());
        }
    }

    /**
     * What Berth takes a reset to leave survives a COM_CHANGE_USER in another character set: a latin1 client without
     * a schema gets the connection's session restarted in latin1, and the utf8mb4 client after it is still brought to
     * utf8mb4, before and after its own COM_RESET_CONNECTION.
     */
    @Test
    void whatAResetLeavesIsLearntAgainAfterARestartedSession() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--pool-mode", "session", "--max-open-conns", "1")) {
            churn(berth, "berth-churn-utf8mb4"); // in the test schema; the release learns what a reset leaves
            try (RawMysqlClient latin1 = RawMysqlClient.connect("127.0.0.1", berth.port(), 10_000)) {
                assertTrue(latin1.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, "", Capabilities.CLIENT_LONG_PASSWORD
                        | Capabilities.CLIENT_PROTOCOL_41 | Capabilities.CLIENT_TRANSACTIONS
                        | Capabilities.CLIENT_SECURE_CONNECTION | Capabilities.CLIENT_MULTI_RESULTS
                        | Capabilities.CLIENT_PLUGIN_AUTH, RawMysqlClient.LATIN1_SWEDISH_CI).isOk());
                assertEquals("latin1", latin1.queryValue("SELECT @@character_set_client"));
            }
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().idle() == 1,
                    () -> berth.poolStats().toString());
            try (RawMysqlClient utf8mb4 = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                    RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
                assertEquals("utf8mb4", utf8mb4.queryValue("SELECT @@character_set_client"));
                utf8mb4.command(Command.COM_RESET_CONNECTION, new byte[0]);
                assertTrue(utf8mb4.read(1).get(0).isOk());
                assertEquals("utf8mb4", utf8mb4.queryValue("SELECT @@character_set_client"));
            }
        }
    }

    /** One client that logs in in utf8mb4_general_ci (Berth's login collation), runs one statement and leaves. */
    private static void churn(RunningBerth berth, String marker) throws Exception {
        try (RawMysqlClient client = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
            assertEquals(marker, client.queryValue("SELECT '" + marker + "'"));
        }
        // Given back once reset and scrubbed.
        Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().idle() == 1, () -> berth.poolStats().toString());
    }

    /** Command type and text of what the server logged on the connection that ran {@code marker}, from then on. */
    private static List<String> sentByTheConnectionThatRan(Statement st, String marker) throws Exception {
        List<String> sent = new ArrayList<>();
        try (PreparedStatement ps = st.getConnection().prepareStatement(
                "SELECT command_type, CONVERT(argument USING utf8mb4) FROM mysql.general_log WHERE thread_id = "
                        + "(SELECT MAX(thread_id) FROM mysql.general_log WHERE argument = ?) "
                        + "AND command_type NOT IN ('Connect', 'Quit') "
                        + "ORDER BY event_time")) {
            ps.setString(1, "SELECT '" + marker + "'");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sent.add(rs.getString(1) + ": " + rs.getString(2));
                }
            }
        }
        return sent;
    }

    private static String value(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
