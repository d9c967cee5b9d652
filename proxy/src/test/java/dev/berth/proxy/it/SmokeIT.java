package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both JDBC drivers log in through Berth and see the backend's own version. */
class SmokeIT {
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start();
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    @Test
    void mysqlConnectorSeesTheBackendVersion() throws Exception {
        try (Connection c = berth.mysqlConnection(""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION(), DATABASE()")) {
            assertTrue(rs.next());
            assertEquals(TestDatabase.get().serverVersion(), rs.getString(1));
            assertEquals(TestDatabase.DATABASE, rs.getString(2));
        }
    }

    @Test
    void mariadbConnectorSeesTheBackendVersion() throws Exception {
        try (Connection c = berth.mariadbConnection(""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION(), DATABASE()")) {
            assertTrue(rs.next());
            assertEquals(TestDatabase.get().serverVersion(), rs.getString(1));
            assertEquals(TestDatabase.DATABASE, rs.getString(2));
        }
    }
}
