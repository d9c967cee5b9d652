package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.JdbcConnection;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Clients log in to Berth's own accounts with either password plugin, over TLS or not. */
class AuthenticationIT {
    private static final String HASHED_USER = "hashed";
    private static final String HASHED_PASSWORD = "only-a-hash";

    private static String nativeHash(String password) {
        return "*" + HexFormat.of().withUpperCase().formatHex(
                NativePassword.doubleHash(password.getBytes(StandardCharsets.UTF_8)));
    }

    private static String whoAmI(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'through berth', 1 + 1")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(2));
            return rs.getString(1);
        }
    }

    @Test
    void cachingSha2LoginWithMariadbConnector() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password");
             Connection c = berth.mariadbConnection("")) {
            assertEquals("through berth", whoAmI(c));
        }
    }

    /**
     * Connector/J 9 behind a caching_sha2 greeting in front of MariaDB, whose version it reads as 5.5.5: a plain
     * account on the fast path (failed with "Unknown server response after fast auth"), over TLS too, one without a
     * password (answered with one NUL: denied before), a {@code *HEX} one switched to native, and COM_CHANGE_USER
     * between them.
     */
    @Test
    void connectorJBehindACachingSha2GreetingInFrontOfMariadb() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD), "--user", "anon:")) {
            String tls = "jdbc:mysql://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=REQUIRED";
            for (String url : new String[] {berth.mysqlUrl(""), tls}) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                    c.unwrap(JdbcConnection.class).changeUser("anon", "");
                    assertEquals("through berth", whoAmI(c));
                    c.unwrap(JdbcConnection.class).changeUser(HASHED_USER, HASHED_PASSWORD);
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, "anon", "")) {
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, HASHED_USER, HASHED_PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
                SQLException e = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(url, RunningBerth.USER, "wrong").close());
                assertEquals(1045, e.getErrorCode(), e.getMessage());
            }
        }
    }

    @Test
    void cachingSha2ClientIsSwitchedToNativeForAHashOnlyAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "caching_sha2_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD));
             Connection c = DriverManager.getConnection(berth.mariadbUrl(""), HASHED_USER, HASHED_PASSWORD)) {
            assertEquals("through berth", whoAmI(c));
        }
    }

    @Test
    void nativeLoginWithBothDriversAndAHashedAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--default-auth", "mysql_native_password",
                "--user", HASHED_USER + ":" + nativeHash(HASHED_PASSWORD))) {
            for (String url : new String[] {berth.mysqlUrl(""), berth.mariadbUrl("")}) {
                try (Connection c = DriverManager.getConnection(url, HASHED_USER, HASHED_PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertEquals("through berth", whoAmI(c));
                }
            }
        }
    }

    @Test
    void wrongPasswordAndUnknownUserGet1045WithoutTouchingTheBackend() throws Exception {
        try (RunningBerth berth = RunningBerth.start()) {
            // Let the start-up warm-up connection settle so the count below is stable.
            try (Connection c = berth.mariadbConnection("")) {
                whoAmI(c);
            }
            long connects = berth.poolStats().connects();
            for (String url : new String[] {berth.mysqlUrl(""), berth.mariadbUrl("")}) {
                for (String user : new String[] {RunningBerth.USER, "nobody"}) {
                    SQLException e = assertThrows(SQLException.class,
                            () -> DriverManager.getConnection(url, user, "wrong").close());
                    assertEquals(1045, e.getErrorCode(), e.getMessage());
                    assertEquals("28000", e.getSQLState());
                    assertTrue(e.getMessage().contains("Access denied for user '" + user + "'"), e.getMessage());
                }
            }
            assertEquals(connects, berth.poolStats().connects(), "no backend connection is opened for a failed login");
        }
    }

    @Test
    void tlsWithBothDriversAndRequireTlsRefusesPlainText() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--require-tls")) {
            String mysql = "jdbc:mysql://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=REQUIRED";
            String mariadb = "jdbc:mariadb://" + berth.hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=trust";
            for (String url : new String[] {mysql, mariadb}) {
                try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }
            SQLException e = assertThrows(SQLException.class, () -> berth.mariadbConnection("").close());
            assertEquals(3159, e.getErrorCode(), e.getMessage());
        }
    }
}
