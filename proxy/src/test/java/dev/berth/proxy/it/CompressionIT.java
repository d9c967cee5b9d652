package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TcpRelay;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that ask for the compressed protocol get it: the results are right and fewer bytes cross the client's
 * socket than the data holds (before, such clients hung, their compressed frames read as plain packets).
 */
class CompressionIT {
    private static final int VALUE_BYTES = 200_000;

    @Test
    void bothJdbcDriversWithCompression() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls");
             TcpRelay relay = new TcpRelay("127.0.0.1", berth.port()).start()) {
            for (String url : List.of(
                    "jdbc:mysql://" + relay.hostPort() + "/" + TestDatabase.DATABASE + "?useCompression=true&useSSL=false",
                    "jdbc:mariadb://" + relay.hostPort() + "/" + TestDatabase.DATABASE + "?useCompression=true")) {
                long before = relay.bytesToClients();
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                     Statement s = c.createStatement()) {
                    for (int i = 0; i < 3; i++) {
                        try (ResultSet rs = s.executeQuery("SELECT REPEAT('berth', " + VALUE_BYTES / 5 + "), "
                                + i + " + 1")) {
                            assertTrue(rs.next());
                            assertEquals(VALUE_BYTES, rs.getString(1).length(), url);
                            assertEquals(i + 1, rs.getInt(2), url);
                        }
                    }
                }
                long sent = relay.bytesToClients() - before;
                assertTrue(sent < VALUE_BYTES, url + ": " + sent + " bytes for three " + VALUE_BYTES
                        + "-byte values: not compressed");
            }
        }
    }
}
