package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without --backend-user, each client acts on the server as its own account: the server sees that account
 * (CURRENT_USER()), and a restricted account cannot read what the server does not let it read, through Berth as
 * directly. An account Berth holds only as a native hash still logs in to the server as itself.
 */
class IdentityIT {
    private static final String RESTRICTED = "berth_id_reader";
    private static final String RESTRICTED_PASSWORD = "reader-secret";
    private static final String HASHED = "berth_id_hashed";
    private static final String HASHED_PASSWORD = "hashed-secret";
    private static final String PRIVILEGED = "berth_id_super";
    private static final String PRIVILEGED_PASSWORD = "super-secret";
    private static final String DB = TestDatabase.DATABASE;

    @BeforeAll
    static void accounts() throws Exception {
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + DB + ".id_public (v VARCHAR(20))");
            s.execute("CREATE TABLE IF NOT EXISTS " + DB + ".id_secret (v VARCHAR(20))");
            s.execute("DELETE FROM " + DB + ".id_secret");
            s.execute("INSERT INTO " + DB + ".id_secret VALUES ('root only')");
            for (String[] account : new String[][] {{RESTRICTED, RESTRICTED_PASSWORD}, {HASHED, HASHED_PASSWORD},
                    {PRIVILEGED, PRIVILEGED_PASSWORD}}) {
                s.execute("DROP USER IF EXISTS '" + account[0] + "'@'%'");
                s.execute("CREATE USER '" + account[0] + "'@'%' IDENTIFIED BY '" + account[1] + "'");
                s.execute("GRANT SELECT ON " + DB + ".id_public TO '" + account[0] + "'@'%'");
            }
            s.execute("GRANT SUPER ON *.* TO '" + PRIVILEGED + "'@'%'"); // may set pseudo_thread_id
        }
    }

    @AfterAll
    static void dropAccounts() throws Exception {
        TestDatabase.get().dropUser(RESTRICTED);
        TestDatabase.get().dropUser(HASHED);
        TestDatabase.get().dropUser(PRIVILEGED);
    }

    private static String nativeHash(String password) {
        return "*" + HexFormat.of().withUpperCase().formatHex(
                NativePassword.doubleHash(password.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRestrictedAccountCannotReadWhatTheServerDeniesItAndIsItselfThere() throws Exception {
        try (RunningBerth berth = RunningBerth.startAsEachClient("--no-tls",
                "--user", RESTRICTED + ":" + RESTRICTED_PASSWORD,
                "--user", HASHED + ":" + nativeHash(HASHED_PASSWORD))) {
            for (String[] account : new String[][] {{RESTRICTED, RESTRICTED_PASSWORD}, {HASHED, HASHED_PASSWORD}}) {
                try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), account[0], account[1],
                        DB)) {
                    assertEquals(account[0] + "@%", c.queryValue("SELECT CURRENT_USER()"));
                    RawMysqlClient.Result secret = c.query("SELECT v FROM " + DB + ".id_secret");
                    assertTrue(secret.err() != null, account[0] + " read a table its account may not read");
                    assertEquals(1142, secret.err().code(), secret.err().toString()); // ER_TABLEACCESS_DENIED_ERROR
                    assertTrue(c.query("SELECT COUNT(*) FROM " + DB + ".id_public").err() == null);
                }
            }
        }
    }

    /**
     * An account the server does not let set pseudo_thread_id shows its clients the server's thread ids; the clients
     * of an account that may set it still get the greeting's id.
     */
    @Test
    void connectionIdsAreMappedPerAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.startAsEachClient("--no-tls",
                "--user", RESTRICTED + ":" + RESTRICTED_PASSWORD,
                "--user", PRIVILEGED + ":" + PRIVILEGED_PASSWORD)) {
            try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RESTRICTED, RESTRICTED_PASSWORD,
                    DB)) {
                long shown = Long.parseLong(c.queryValue("SELECT CONNECTION_ID()"));
                assertTrue(shown != c.greeting().connectionId(), "the server refused " + RESTRICTED
                        + " pseudo_thread_id, yet CONNECTION_ID() showed the greeting's " + shown);
            }
            try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), PRIVILEGED, PRIVILEGED_PASSWORD,
                    DB)) {
                assertEquals(c.greeting().connectionId(), Long.parseLong(c.queryValue("SELECT CONNECTION_ID()")));
            }
        }
    }

    @Test
    void anAccountAtItsCapWaitsWhileOthersGoOn() throws Exception {
        try (RunningBerth berth = RunningBerth.startAsEachClient("--no-tls", "--max-open-conns-per-account", "1",
                "--acquire-timeout", "1s", "--user", RESTRICTED + ":" + RESTRICTED_PASSWORD,
                "--user", HASHED + ":" + nativeHash(HASHED_PASSWORD));
             RawMysqlClient holder = RawMysqlClient.login("127.0.0.1", berth.port(), RESTRICTED,
                     RESTRICTED_PASSWORD, DB)) {
            try (RawMysqlClient second = RawMysqlClient.connect("127.0.0.1", berth.port(), 10_000)) {
                RawMysqlClient.Packet refused = second.tryLogin(RESTRICTED, RESTRICTED_PASSWORD, DB);
                assertTrue(refused.isErr(), refused.describe());
                assertEquals(1040, refused.err().code(), refused.describe());
                assertTrue(refused.err().message().contains("--max-open-conns-per-account"), refused.describe());
            }
            try (RawMysqlClient other = RawMysqlClient.login("127.0.0.1", berth.port(), HASHED, HASHED_PASSWORD,
                    DB)) {
                assertEquals(HASHED + "@%", other.queryValue("SELECT CURRENT_USER()"), "another account goes on");
            }
            assertEquals(RESTRICTED + "@%", holder.queryValue("SELECT CURRENT_USER()"));
        }
    }

    @Test
    void withAServiceAccountEveryClientIsThatAccount() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls");
             RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                     RunningBerth.PASSWORD, DB)) {
            assertEquals(TestDatabase.get().rootUser(), c.queryValue("SELECT CURRENT_USER()").split("@")[0],
                    "--backend-user is an explicit choice of one account for all");
        }
    }
}
