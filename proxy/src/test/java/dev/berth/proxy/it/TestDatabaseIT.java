package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Proves {@link TestDatabase} gives a usable server, whichever way it was selected. */
class TestDatabaseIT {

  @Test
  void connectsAndHasLargeMaxAllowedPacket() throws Exception {
    TestDatabase db = TestDatabase.get();
    try (Connection c = db.rootConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT VERSION(), @@max_allowed_packet, DATABASE()")) {
      assertTrue(rs.next());
      String version = rs.getString(1);
      assertFalse(version.isBlank());
      assertTrue(
          rs.getLong(2) >= TestDatabase.MIN_MAX_ALLOWED_PACKET,
          "max_allowed_packet " + rs.getLong(2) + " on " + db);
      assertEquals(TestDatabase.DATABASE, rs.getString(3));
      System.out.println("[TestDatabaseIT] " + db);
    }
  }

  @Test
  void createdUserCanLogIn() throws Exception {
    TestDatabase db = TestDatabase.get();
    db.createUser("berth_it_native", "s3cret", "mysql_native_password");
    try (Connection c =
            DriverManager.getConnection(
                db.jdbcUrl(TestDatabase.DATABASE), "berth_it_native", "s3cret");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
      assertTrue(rs.next());
      assertEquals("berth_it_native@%", rs.getString(1));
    } finally {
      db.dropUser("berth_it_native");
    }
  }
}
