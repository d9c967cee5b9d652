package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.MySql8Container;
import dev.berth.proxy.it.support.RequiresDocker;
import dev.berth.proxy.it.support.RunningBerth;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Berth in front of MySQL 8.4, whose root logs in with caching_sha2_password: Berth's first login to it takes the
 * full-authentication path (RSA public key over plain text), and clients log in to Berth with caching_sha2_password
 * too. Skipped where Docker is missing.
 */
@RequiresDocker
class MySql8ContainerSmokeIT {

    @Test
    void bothDriversThroughBerthToACachingSha2Backend() throws Exception {
        try (Connection direct = MySql8Container.rootConnection(); Statement st = direct.createStatement();
             ResultSet rs = st.executeQuery("SELECT plugin FROM mysql.user WHERE user = 'root' LIMIT 1")) {
            assertTrue(rs.next());
            assertEquals("caching_sha2_password", rs.getString(1));
        }
        try (RunningBerth berth = RunningBerth.startAgainst(MySql8Container.hostPort(), "root",
                MySql8Container.ROOT_PASSWORD, "--no-tls", "--max-open-conns", "2")) {
            String[] urls = {
                "jdbc:mysql://" + berth.hostPort() + "/" + MySql8Container.DATABASE
                        + "?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                "jdbc:mariadb://" + berth.hostPort() + "/" + MySql8Container.DATABASE + "?allowPublicKeyRetrieval=true",
            };
            for (String url : urls) {
                for (int i = 0; i < 3; i++) { // new backend logins (full auth) and reused ones
                    try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                         Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT VERSION()")) {
                        assertTrue(rs.next());
                        assertTrue(rs.getString(1).startsWith("8.4"), rs.getString(1));
                    }
                }
            }
        }
    }
}
