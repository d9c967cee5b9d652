package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Berth with no accounts of its own and no service account: the server verifies each account's first login (the
 * password caching_sha2_password's full authentication gives Berth logs in to the backend), later logins of the
 * account are checked by Berth without a backend login, and a wrong password is refused as the server refuses it.
 */
class ServerVerifiedLoginIT {
    private static final String USER = "berth_sv_user";
    private static final String PASSWORD = "sv-secret";

    @BeforeAll
    static void account() throws Exception {
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement()) {
            s.execute("DROP USER IF EXISTS '" + USER + "'@'%'");
            s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
            s.execute("GRANT SELECT ON " + TestDatabase.DATABASE + ".* TO '" + USER + "'@'%'");
        }
    }

    @AfterAll
    static void dropAccount() throws Exception {
        TestDatabase.get().dropUser(USER);
    }

    private static String tlsUrl(RunningBerth berth) {
        return "jdbc:mysql://127.0.0.1:" + berth.port() + "/" + TestDatabase.DATABASE + "?sslMode=REQUIRED";
    }

    private static String whoAmI(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void theServerVerifiesTheFirstLoginAndBerthTheNext() throws Exception {
        try (RunningBerth berth = RunningBerth.startAsEachClient()) {
            try (Connection first = DriverManager.getConnection(tlsUrl(berth), USER, PASSWORD)) {
                assertEquals(USER + "@%", whoAmI(first));
            }
            long connects = berth.poolStats().connects();
            try (Connection again = DriverManager.getConnection(tlsUrl(berth), USER, PASSWORD)) {
                assertEquals(USER + "@%", whoAmI(again));
            }
            assertEquals(connects, berth.poolStats().connects(),
                    "a later login of a verified account costs no backend login: " + berth.poolStats());

            // Without TLS, the password comes RSA-encrypted with Berth's key.
            try (Connection rsa = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + berth.port() + "/"
                    + TestDatabase.DATABASE + "?sslMode=DISABLED&allowPublicKeyRetrieval=true", USER, PASSWORD)) {
                assertEquals(USER + "@%", whoAmI(rsa));
            }
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownAccountIsRefusedAsTheServerRefusesIt() throws Exception {
        try (RunningBerth berth = RunningBerth.startAsEachClient()) {
            for (String[] login : new String[][] {{USER, "wrong"}, {"berth_sv_nobody", PASSWORD}}) {
                SQLException e = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(tlsUrl(berth), login[0], login[1]).close());
                assertEquals(1045, e.getErrorCode(), e.toString());
                assertTrue(e.getMessage().contains("Access denied for user '" + login[0] + "'"), e.getMessage());
            }
            // A refused password backs nobody off: the right one logs in at once.
            try (Connection c = DriverManager.getConnection(tlsUrl(berth), USER, PASSWORD)) {
                assertEquals(USER + "@%", whoAmI(c));
            }
        }
    }
}
