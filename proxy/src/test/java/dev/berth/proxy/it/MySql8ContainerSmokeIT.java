package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.MySql8Container;
import dev.berth.proxy.it.support.RequiresDocker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** MySQL 8.4 in Docker is reachable with MySQL Connector/J. Skipped where Docker is missing. */
@RequiresDocker
class MySql8ContainerSmokeIT {

  @Test
  void connectsWithConnectorJ() throws Exception {
    try (Connection c = MySql8Container.rootConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT VERSION(), @@max_allowed_packet")) {
      assertTrue(rs.next());
      assertTrue(rs.getString(1).startsWith("8.4"), rs.getString(1));
      assertTrue(rs.getLong(2) >= 64L * 1024 * 1024);
    }
  }
}
