package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RawMysqlClient.Packet;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client sees of its own session through Berth is what a direct connection shows it: its connection id, no
 * trace of the previous client of its backend connection, its character set after its own reset, and a socket that
 * closes when the server drops its connection. At most two backend connections, reused newest first, so a client
 * that follows another gets the connection the other just left.
 */
class SessionFidelityIT {
    private static final String OTHER_USER = "other";
    private static final String OTHER_PASSWORD = "other-secret";
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start("--no-tls", "--max-open-conns", "2",
                "--user", OTHER_USER + ":" + OTHER_PASSWORD);
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    private static RawMysqlClient login(String user, String password) throws Exception {
        return RawMysqlClient.login("127.0.0.1", berth.port(), user, password, TestDatabase.DATABASE);
    }

    @Test
    void connectionIdIsTheGreetingsIdAndKillQueryWithItWorks() throws Exception {
        try (RawMysqlClient victim = RawMysqlClient.connect("127.0.0.1", berth.port(), 20_000)) {
            assertTrue(victim.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, TestDatabase.DATABASE).isOk());
            long greetingId = victim.greeting().connectionId();
            long reported = Long.parseLong(victim.queryValue("SELECT CONNECTION_ID()"));
            assertEquals(greetingId, reported, "CONNECTION_ID() must be the id of the greeting");

            long started = System.nanoTime();
            CompletableFuture<String> sleep = CompletableFuture.supplyAsync(() -> {
                try {
                    RawMysqlClient.Result r = victim.query("SELECT SLEEP(20)");
                    return r.err() != null ? "ERR " + r.err().code() : r.rows().get(0).get(0);
                } catch (Exception e) {
                    return e.toString();
                }
            });
            Thread.sleep(300); // the SLEEP must have started; KILL QUERY of an idle session does nothing
            try (RawMysqlClient killer = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
                RawMysqlClient.Result result = killer.query("KILL QUERY " + reported);
                assertNull(result.err(), "KILL QUERY " + reported + " refused: " + result.err());
            }
            String outcome = sleep.get(15, TimeUnit.SECONDS);
            // Killed, SLEEP returns 1 (MySQL) or the statement fails with 1317 (MariaDB).
            assertTrue(outcome.equals("1") || outcome.equals("ERR 1317"), outcome);
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "stopped before its 20 s");
        }
    }

    @Test
    void killQueryPreparedAsAStatementStopsTheQueryOfTheGreetingsId() throws Exception {
        try (RawMysqlClient victim = login(RunningBerth.USER, RunningBerth.PASSWORD);
             RawMysqlClient killer = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            long id = Long.parseLong(victim.queryValue("SELECT CONNECTION_ID()"));
            long started = System.nanoTime();
            CompletableFuture<String> sleep = CompletableFuture.supplyAsync(() -> {
                try {
                    RawMysqlClient.Result r = victim.query("SELECT SLEEP(20)");
                    return r.err() != null ? "ERR " + r.err().code() : r.rows().get(0).get(0);
                } catch (Exception e) {
                    return e.toString();
                }
            });
            Thread.sleep(300); // the SLEEP must have started; KILL QUERY of an idle session does nothing

            killer.command(Command.COM_STMT_PREPARE, "KILL QUERY ?".getBytes(StandardCharsets.UTF_8));
            Packet prepared = killer.read(1).get(0);
            assertEquals(0x00, prepared.first(), prepared.describe());
            long statement = ByteBuffer.wrap(prepared.payload(), 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
                    & 0xffffffffL;
            assertEquals(1, prepared.payload()[7], "one parameter");
            killer.read(2); // its definition, then EOF (this client has no CLIENT_DEPRECATE_EOF)

            ByteBuffer execute = ByteBuffer.allocate(4 + 1 + 4 + 1 + 1 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
            execute.putInt((int) statement).put((byte) 0).putInt(1) // no cursor, one iteration
                    .put((byte) 0).put((byte) 1).putShort((short) 0x08).putLong(id); // not NULL, bound: BIGINT id
            killer.command(Command.COM_STMT_EXECUTE, execute.array());
            Packet answer = killer.read(1).get(0);
            assertTrue(answer.isOk(), answer.describe());

            String outcome = sleep.get(15, TimeUnit.SECONDS);
            assertTrue(outcome.equals("1") || outcome.equals("ERR 1317"), outcome);
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "stopped before its 20 s");
            assertEquals("1", killer.queryValue("SELECT 1"), "the killer's session goes on");
        }
    }

    @Test
    void aKillBehindAnotherStatementIsRefusedNotPassedOn() throws Exception {
        try (RawMysqlClient client = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            RawMysqlClient.Result result = client.query("SELECT 1; KILL QUERY 1");
            assertTrue(result.err() != null, "a KILL with a server thread id went through");
            assertEquals(1148, result.err().code(), result.err().toString());
            assertEquals("1", client.queryValue("SELECT 1"), "the session goes on");
        }
    }

    @Test
    void processKillWithoutAnIdIsACleanErrorAndTheSessionGoesOn() throws Exception {
        try (RawMysqlClient client = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            client.command(Command.COM_PROCESS_KILL, new byte[0]);
            Packet answer = client.read(1).get(0);
            assertTrue(answer.isErr(), answer.describe());
            assertEquals(1835, answer.err().code(), answer.describe());
            assertEquals("1", client.queryValue("SELECT 1"));
        }
    }

    @Test
    void killingAnotherAccountsConnectionIsRefused() throws Exception {
        try (RawMysqlClient victim = login(OTHER_USER, OTHER_PASSWORD);
             RawMysqlClient killer = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            long id = Long.parseLong(victim.queryValue("SELECT CONNECTION_ID()"));
            for (String kill : List.of("KILL " + id, "KILL QUERY " + id)) {
                RawMysqlClient.Result result = killer.query(kill);
                assertTrue(result.err() != null, kill + " of another account's connection was accepted");
                assertEquals(1095, result.err().code(), result.err().toString());
            }
            assertEquals("1", victim.queryValue("SELECT 1"), "the other account's connection lives on");
        }
    }

    @Test
    void theNextClientSeesNoFoundRowsOrLastInsertIdOfThePrevious() throws Exception {
        try (RawMysqlClient first = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            first.query("CREATE TEMPORARY TABLE ids (id INT AUTO_INCREMENT PRIMARY KEY)").rowsOrThrow();
            first.query("INSERT INTO ids VALUES (NULL), (NULL), (NULL)").rowsOrThrow();
            first.query("SELECT SQL_CALC_FOUND_ROWS * FROM information_schema.COLLATIONS LIMIT 1").rowsOrThrow();
            assertTrue(Long.parseLong(first.queryValue("SELECT FOUND_ROWS()")) > 1);
        }
        try (RawMysqlClient next = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            assertEquals("0 0", next.queryValue("SELECT CONCAT(FOUND_ROWS(), ' ', LAST_INSERT_ID())"),
                    "a new connection starts with FOUND_ROWS() and LAST_INSERT_ID() at 0");
        }
    }

    @Test
    void aClientThatNamedNoSchemaHasNoneOnAConnectionTheLastClientLeftInOne() throws Exception {
        try (RawMysqlClient first = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            assertEquals(TestDatabase.DATABASE, first.queryValue("SELECT DATABASE()"));
        }
        for (int i = 0; i < 2; i++) {
            try (RawMysqlClient next = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                    RunningBerth.PASSWORD, null)) {
                assertEquals("NULL", String.valueOf(next.queryValue("SELECT IFNULL(DATABASE(), 'NULL')")));
                RawMysqlClient.Result create = next.query("CREATE TABLE schema_probe (a INT)");
                assertTrue(create.err() != null, "an unqualified CREATE TABLE must fail without a schema");
                assertEquals(1046, create.err().code(), create.err().toString());
                next.query("USE " + TestDatabase.DATABASE).rowsOrThrow(); // leaves the connection in a schema again
            }
        }
        assertEquals(0, berth.poolStats().closedByReason().size(), "no connection closed for this: "
                + berth.poolStats().closedByReason());
    }

    @Test
    void theClientsOwnResetKeepsTheCharacterSetOfItsHandshake() throws Exception {
        try (RawMysqlClient latin1 = RawMysqlClient.connect("127.0.0.1", berth.port(), 20_000)) {
            long capabilities = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_PROTOCOL_41
                    | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
                    | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH;
            assertTrue(latin1.tryLogin(RunningBerth.USER, RunningBerth.PASSWORD, TestDatabase.DATABASE, capabilities,
                    RawMysqlClient.LATIN1_SWEDISH_CI).isOk());
            latin1.command(Command.COM_RESET_CONNECTION, new byte[0]);
            assertTrue(latin1.read(1).get(0).isOk());
            assertEquals("latin1 latin1 latin1_swedish_ci", latin1.queryValue(
                    "SELECT CONCAT_WS(' ', @@character_set_client, @@character_set_results, @@collation_connection)"));
        }
    }

    /**
     * In session mode the client's backend connection is its session, so losing it ends the client's connection as
     * it would end a direct one. In transaction mode an idle client holds none; a client in a transaction does, and
     * its transaction is what the server dropped.
     */
    @Test
    void aBackendConnectionTheServerDropsClosesItsIdleClient() throws Exception {
        try (RawMysqlClient client = login(RunningBerth.USER, RunningBerth.PASSWORD);
             Connection root = TestDatabase.get().rootConnection()) {
            assertEquals("1", client.queryValue("SELECT 1"));
            if (RunningBerth.transactionModeByDefault()) {
                assertNull(client.query("BEGIN").err(), "BEGIN");
            }
            List<Long> berthThreads = new java.util.ArrayList<>();
            try (Statement s = root.createStatement();
                 var rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '"
                         + TestDatabase.get().rootUser() + "' AND ID <> CONNECTION_ID() AND COMMAND = 'Sleep' "
                         + "AND DB = '" + TestDatabase.DATABASE + "'")) {
                while (rs.next()) {
                    berthThreads.add(rs.getLong(1));
                }
            }
            assertTrue(!berthThreads.isEmpty(), "Berth's backend connections are in the process list");
            try (Statement s = root.createStatement()) {
                for (long thread : berthThreads) {
                    s.execute("KILL " + thread);
                }
            }
            client.setReadTimeout(5_000);
            long start = System.nanoTime();
            List<Packet> before = client.readUntilClosed();
            assertTrue(before.isEmpty(), "nothing is sent before the close: " + before);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "closed at once");
        }
        // KILL returns before the server closes the sockets: the next test must not be handed one of these. A client
        // that meets one is refused and the connection discarded, so two clients served in a row (the pool's size)
        // show that none is left.
        Eventually.await(Duration.ofSeconds(5), () -> served() && served(), () -> berth.poolStats().toString());
    }

    private static boolean served() {
        try (RawMysqlClient client = login(RunningBerth.USER, RunningBerth.PASSWORD)) {
            return "1".equals(client.queryValue("SELECT 1"));
        } catch (Exception metADeadConnection) {
            return false;
        }
    }
}
