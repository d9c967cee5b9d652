package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BackendThread;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the server's monitoring shows of Berth's connections ({@code performance_schema.session_connect_attrs}, so
 * only on a server that runs performance_schema; MariaDB has it off by default): Berth's own attributes, and a
 * client's where its session was restarted for it, never a client's on a connection it no longer uses.
 */
class ConnectionAttributesIT {

    @Test
    void aRestartedSessionCarriesItsClientsAttributesUntilTheClientLeaves() throws Exception {
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@performance_schema")) {
            rs.next();
            Assumptions.assumeTrue(rs.getBoolean(1), "performance_schema is off on the test server");
        }
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-open-conns", "1")) {
            long thread;
            try (Connection a = berth.mariadbConnection(""); Statement s = a.createStatement()) {
                thread = value(s, BackendThread.SQL); // leaves the only connection in schema berth_it
            }
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().idle() == 1,
                    () -> berth.poolStats().toString());
            assertEquals("berth", attributes(thread).get("program_name"), attributes(thread).toString());

            // No schema, on a connection left in one: its session is restarted, under this client's attributes.
            String url = "jdbc:mariadb://" + berth.hostPort() + "/?sslMode=disable"
                    + "&connectionAttributes=program_name:reports";
            try (Connection b = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                 Statement s = b.createStatement()) {
                assertEquals(thread, value(s, BackendThread.SQL), "the same backend connection");
                Map<String, String> seen = attributes(thread);
                assertEquals("reports", seen.get("program_name"), seen.toString());
                assertTrue(seen.getOrDefault("_client_name", "").contains("MariaDB"), seen.toString());
                assertEquals("127.0.0.1", seen.get("_berth_client_host"), seen.toString());
                assertTrue(seen.containsKey("_berth_connection_id") && seen.containsKey("_berth_version"),
                        seen.toString());
            }
            Eventually.await(Duration.ofSeconds(5), () -> berth.poolStats().idle() == 1,
                    () -> berth.poolStats().toString());
            assertEquals("berth", attributes(thread).get("program_name"), "back to Berth's own once the client left: "
                    + attributes(thread));
            assertTrue(!berth.poolStats().closedByReason().containsKey("reset-failed"),
                    berth.poolStats().toString());
        }
    }

    private static Map<String, String> attributes(long thread) {
        try (Connection root = TestDatabase.get().rootConnection();
             PreparedStatement s = root.prepareStatement("SELECT ATTR_NAME, ATTR_VALUE FROM "
                     + "performance_schema.session_connect_attrs WHERE PROCESSLIST_ID = ?")) {
            s.setLong(1, thread);
            Map<String, String> attributes = new HashMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    attributes.put(rs.getString(1), rs.getString(2));
                }
            }
            return attributes;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }
}
