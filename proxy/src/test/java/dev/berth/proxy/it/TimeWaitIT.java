package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.ChurnClient;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.SocketStates;
import dev.berth.proxy.it.support.TestDatabase;
import dev.berth.proxy.pool.PoolStats;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failure the pool contract is about, with real sockets: a client that connects, runs {@code SELECT 1} and
 * disconnects in a tight loop leaves one TIME_WAIT socket per connection on its own host, toward the database. Through
 * Berth the same churn ends on Berth, and toward the database there are only Berth's few long-lived connections.
 * Sockets are counted with {@code ss}; each count is of TIME_WAIT sockets that appeared during the run.
 */
class TimeWaitIT {
    private static final int ITERATIONS = 300;
    /** Berth's own backend connections may account for a few. */
    private static final int FEW = 3;
    /**
     * Berth's --max-open-conns here, so the most backend connects it can make: a client back before the previous
     * one's COM_RESET_CONNECTION finished gets another connection.
     */
    private static final int HANDFUL = 4;
    /** Direct churn in the namespace stops after this many failed connects: running out of ports is shown by then. */
    private static final int DIRECT_FAILURES = 10;

    private static final long PID = ProcessHandle.current().pid();
    private static final String NETNS = "berthtw" + PID % 100_000;
    private static final String VETH_HOST = "btw" + PID % 100_000 + "h";
    private static final String VETH_APP = "btw" + PID % 100_000 + "a";
    /** The private /30 between the "app host" namespace and this one; nothing leaves the machine. */
    private static final String DB_HOST_ADDRESS = "10.231.77.1";
    private static final String APP_HOST_ADDRESS = "10.231.77.2";
    private static final List<Process> processes = new CopyOnWriteArrayList<>();
    private static boolean netnsCreated;

    @BeforeAll
    static void needSs() {
        assumeTrue(SocketStates.available(), "ss (iproute2) is not installed: TIME_WAIT sockets cannot be counted");
        TestDatabase.get();
    }

    @AfterAll
    static void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (netnsCreated) {
            exec("ip", "netns", "del", NETNS);
            exec("ip", "link", "del", VETH_HOST); // gone with the namespace already, normally
        }
    }

    @Test
    void churnDirectLeavesATimeWaitPerConnectionAndThroughBerthNoneTowardTheServer() throws Exception {
        TestDatabase db = TestDatabase.get();
        String towardServer = "( dport = :" + db.port() + " )";
        String fromServer = "( sport = :" + db.port() + " )";

        Set<String> before = SocketStates.timeWaitSockets(towardServer);
        Set<String> beforeServerSide = SocketStates.timeWaitSockets(fromServer);
        ChurnClient.Result direct = ChurnClient.churnRaw(db.port(), db.rootUser(), db.rootPassword(),
                TestDatabase.DATABASE, ITERATIONS);
        int directTimeWait = appeared(before, SocketStates.timeWaitSockets(towardServer));
        int directServerSide = appeared(beforeServerSide, SocketStates.timeWaitSockets(fromServer));
        assertEquals(ITERATIONS, direct.ok(), String.valueOf(direct.firstFailure()));

        try (RunningBerth berth = RunningBerth.start("--max-open-conns", String.valueOf(HANDFUL))) {
            awaitWarm(berth);
            String towardBerth = "( dport = :" + berth.port() + " )";
            long connectsBefore = berth.poolStats().connects();
            long serverConnectionsBefore = serverConnections();
            before = SocketStates.timeWaitSockets(towardServer);
            Set<String> beforeBerth = SocketStates.timeWaitSockets(towardBerth);

            ChurnClient.Result through = ChurnClient.churnRaw(berth.port(), RunningBerth.USER, RunningBerth.PASSWORD,
                    TestDatabase.DATABASE, ITERATIONS);

            int throughTimeWait = appeared(before, SocketStates.timeWaitSockets(towardServer));
            int onLoopback = appeared(beforeBerth, SocketStates.timeWaitSockets(towardBerth));
            long berthConnects = berth.poolStats().connects();
            long foreign = foreignConnections(serverConnectionsBefore, berthConnects - connectsBefore);
            System.out.printf("[TimeWaitIT] %d x connect/SELECT 1/disconnect: direct left %d TIME_WAIT sockets on the "
                            + "client toward the server (:%d) and %d on the server's side; through Berth %d toward the "
                            + "server and %d toward Berth (:%d, loopback), Berth made %d backend connects in all%s%n",
                    ITERATIONS, directTimeWait, db.port(), directServerSide, throughTimeWait, onLoopback, berth.port(),
                    berthConnects,
                    foreign > 0 ? " (" + foreign + " connections from other clients of the server meanwhile)" : "");

            assertEquals(ITERATIONS, through.ok(), String.valueOf(through.firstFailure()));
            assertTrue(directTimeWait >= ITERATIONS * 8 / 10,
                    "direct churn leaves about one TIME_WAIT per connection, got " + directTimeWait);
            assertTrue(throughTimeWait <= FEW + foreign,
                    "through Berth nearly none toward the server, got " + throughTimeWait);
            assertTrue(berthConnects <= HANDFUL, "Berth reused its backend connections, connects: " + berthConnects);
            assertEquals(0, berth.poolStats().closedFirst(), "Berth never closed a backend connection first");
        }
    }

    @Test
    void overAUnixSocketTheClientSideHasNoTimeWaitAtAll() throws Exception {
        TestDatabase db = TestDatabase.get();
        Path socket = Path.of("/tmp", "berth-timewait-" + PID + ".sock");
        try (RunningBerth berth = RunningBerth.start("--listen", "unix:" + socket, "--max-open-conns",
                String.valueOf(HANDFUL))) {
            awaitWarm(berth);
            String towardServer = "( dport = :" + db.port() + " )";
            String towardBerth = "( dport = :" + berth.port() + " )";
            long connectsBefore = berth.poolStats().connects();
            long serverConnectionsBefore = serverConnections();
            Set<String> before = SocketStates.timeWaitSockets(towardServer);
            Set<String> beforeBerth = SocketStates.timeWaitSockets(towardBerth);

            ChurnClient.Result through = ChurnClient.churn("jdbc:mariadb://localhost/" + TestDatabase.DATABASE
                            + "?localSocket=" + socket + "&sslMode=disable", RunningBerth.USER, RunningBerth.PASSWORD,
                    ITERATIONS);

            int towardServerCount = appeared(before, SocketStates.timeWaitSockets(towardServer));
            int towardBerthCount = appeared(beforeBerth, SocketStates.timeWaitSockets(towardBerth));
            long berthConnects = berth.poolStats().connects();
            long foreign = foreignConnections(serverConnectionsBefore, berthConnects - connectsBefore);
            PoolStats stats = berth.poolStats();
            System.out.printf("[TimeWaitIT] %d x connect/SELECT 1/disconnect (MariaDB Connector/J) over unix socket %s: "
                            + "%d TIME_WAIT toward the server, %d toward Berth's TCP port, Berth made %d backend connects "
                            + "in all, closed %s, closed first %d%s%n",
                    ITERATIONS, socket, towardServerCount, towardBerthCount, berthConnects, stats.closedByReason(),
                    stats.closedFirst(),
                    foreign > 0 ? " (" + foreign + " connections from other clients of the server meanwhile)" : "");
            assertEquals(ITERATIONS, through.ok(), String.valueOf(through.firstFailure()));
            assertEquals(0, towardBerthCount, "a unix socket has no TIME_WAIT, and the TCP listener was not used");
            assertTrue(towardServerCount <= FEW + foreign, "toward the server: " + towardServerCount);
            // The driver asks for CLIENT_FOUND_ROWS and the warm-up connection was opened without it: one more connect,
            // and that connection is closed (by COM_QUIT, the TIME_WAIT on the server's side).
            assertTrue(berthConnects <= HANDFUL + 1, "connects: " + berthConnects);
            assertEquals(0, stats.closedFirst(), "Berth never closed a backend connection first");
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    /**
     * The outage itself: the app host (a network namespace with 101 ephemeral ports) churns connections to a database
     * across a veth link. Directly, every closed connection holds its port in TIME_WAIT for a minute, and after about
     * 101 connects the next fails with "Cannot assign requested address". The same churn into a Berth beside the app
     * (over a unix socket) keeps working, as Berth needs only its few long-lived connections across the link.
     *
     * <p>The database host side of the link is a plain TCP relay in this namespace to the test server, which listens
     * on loopback only. Client and Berth are processes of their own, started with {@code ip netns exec}.
     */
    @Test
    void inANamespaceWithFewEphemeralPortsDirectChurnRunsOutAndThroughBerthItDoesNot() throws Exception {
        assumeTrue(isRoot(), "needs root to create a network namespace");
        assumeTrue(exec("ip", "netns", "list") == 0, "`ip netns` is not available");
        setUpNamespace();
        TestDatabase db = TestDatabase.get();
        Path socket = Path.of("/tmp", "berth-timewait-ns-" + PID + ".sock");
        Files.deleteIfExists(socket);
        try (Relay relay = new Relay(DB_HOST_ADDRESS, db.host(), db.port())) {
            String backend = DB_HOST_ADDRESS + ":" + relay.port();
            String towardDb = "( dst " + DB_HOST_ADDRESS + " and dport = :" + relay.port() + " )";

            File berthLog = File.createTempFile("berth-timewait-ns-", ".log");
            berthLog.deleteOnExit();
            Process berth = startInNamespace(berthLog, "dev.berth.proxy.cli.BerthCommand",
                    "--listen", "unix:" + socket, "--backend", backend, "--backend-user", db.rootUser(),
                    "--backend-password", db.rootPassword(), "--user", RunningBerth.USER + ":" + RunningBerth.PASSWORD,
                    "--max-open-conns", String.valueOf(HANDFUL));
            Eventually.poll(Duration.ofSeconds(20), () -> Files.exists(socket) || !berth.isAlive());
            assumeTrue(Files.exists(socket), "Berth did not start in the namespace: " + Files.readString(berthLog.toPath()));

            ChurnClient.Result through = churnInNamespace("jdbc:mariadb://localhost/" + TestDatabase.DATABASE
                    + "?localSocket=" + socket + "&sslMode=disable", RunningBerth.USER, RunningBerth.PASSWORD,
                    ITERATIONS);
            int throughTimeWait = SocketStates.timeWaitSockets(NETNS, towardDb).size();
            int backendConnects = relay.accepted.size();

            ChurnClient.Result direct = churnInNamespace("jdbc:mariadb://" + backend + "/" + TestDatabase.DATABASE
                    + "?sslMode=disable&connectTimeout=5000", db.rootUser(), db.rootPassword(), DIRECT_FAILURES);
            int directTimeWait = SocketStates.timeWaitSockets(NETNS, towardDb).size();

            System.out.printf("[TimeWaitIT] app namespace with ephemeral ports 40000-40100, %d x connect/SELECT 1/"
                            + "disconnect: through Berth %d ok, %d failed, %d TIME_WAIT toward the database, %d backend "
                            + "connects; direct %d ok, %d failed (%s), %d TIME_WAIT toward the database%n",
                    ITERATIONS, through.ok(), through.failed(), throughTimeWait, backendConnects, direct.ok(),
                    direct.failed(), direct.firstFailure(), directTimeWait);

            assertEquals(ITERATIONS, through.ok(), "through Berth: " + through.firstFailure());
            assertTrue(throughTimeWait <= FEW, "through Berth: " + throughTimeWait + " TIME_WAIT");
            assertTrue(backendConnects <= HANDFUL, "Berth's connects across the link: " + backendConnects);
            assertTrue(direct.failed() > 0, "direct churn ran out of ports (" + direct.ok() + " ok)");
            assertNotNull(direct.firstFailure());
            assertTrue(direct.firstFailure().contains("Cannot assign requested address"), direct.firstFailure());
            // Most of the 101 ports are held in TIME_WAIT (a few more connects succeed where the far side closed first).
            assertTrue(directTimeWait >= 80, "direct: " + directTimeWait + " TIME_WAIT");
            berth.destroy();
            berth.waitFor(10, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    // ---- support ------------------------------------------------------------------------------------------------

    /** Waits for Berth's warm-up connection (opened at start) to be idle, so the churn does not count it. */
    private static void awaitWarm(RunningBerth berth) throws InterruptedException {
        Eventually.await(Duration.ofSeconds(10), () -> berth.poolStats().idle() >= 1,
                () -> "Berth's warm-up connection is not idle: " + berth.poolStats());
    }

    private static int appeared(Set<String> before, Set<String> after) {
        Set<String> fresh = new HashSet<>(after);
        fresh.removeAll(before);
        return fresh.size();
    }

    /**
     * The server's count of connection attempts (including the one asking). Returns once the asking connection's
     * TIME_WAIT socket exists, so that a caller's "before" set has it.
     */
    private static long serverConnections() throws SQLException, InterruptedException {
        long connections;
        int localPort;
        try (Connection c = TestDatabase.get().rootConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Connections'")) {
                rs.next();
                connections = rs.getLong(2);
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")) {
                rs.next();
                String host = rs.getString(1); // "127.0.0.1:40312" or "localhost:40312"
                localPort = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
            }
        }
        int serverPort = TestDatabase.get().port();
        // On whichever side closed first.
        String socket = "( sport = :" + localPort + " and dport = :" + serverPort + " ) or ( sport = :" + serverPort
                + " and dport = :" + localPort + " )";
        Eventually.await(Duration.ofSeconds(5), () -> SocketStates.timeWait(socket) >= 1,
                () -> "no TIME_WAIT socket for " + socket);
        return connections;
    }

    /**
     * Connections the server accepted since {@code before} from anyone but Berth and this check: other tests or
     * builds using the same server, whose TIME_WAIT sockets can't be told from Berth's.
     */
    private static long foreignConnections(long before, long berthConnects) throws SQLException, InterruptedException {
        return Math.max(0, serverConnections() - before - 1 - berthConnects);
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void setUpNamespace() {
        exec("ip", "netns", "del", NETNS); // left over from a killed run
        exec("ip", "link", "del", VETH_HOST);
        assumeTrue(exec("ip", "netns", "add", NETNS) == 0, "cannot create a network namespace here");
        netnsCreated = true;
        String[][] steps = {
            {"ip", "link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_APP, "netns", NETNS},
            {"ip", "addr", "add", DB_HOST_ADDRESS + "/30", "dev", VETH_HOST},
            {"ip", "link", "set", VETH_HOST, "up"},
            {"ip", "netns", "exec", NETNS, "ip", "addr", "add", APP_HOST_ADDRESS + "/30", "dev", VETH_APP},
            {"ip", "netns", "exec", NETNS, "ip", "link", "set", VETH_APP, "up"},
            {"ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"},
            {"ip", "netns", "exec", NETNS, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40100"},
        };
        for (String[] step : steps) {
            assumeTrue(exec(step) == 0, "namespace set-up failed at: " + String.join(" ", step));
        }
    }

    private static Process startInNamespace(File log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NETNS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", classPath(), mainClass));
        command.addAll(List.of(args));
        Process p = BerthProcess.withoutBerthVariables(new ProcessBuilder(command)).redirectErrorStream(true)
                .redirectOutput(log).start();
        processes.add(p);
        return p;
    }

    private static ChurnClient.Result churnInNamespace(String url, String user, String password, int maxFailures)
            throws Exception {
        File log = File.createTempFile("berth-churn-", ".log");
        try {
            Process p = startInNamespace(log, ChurnClient.class.getName(), url, user, password,
                    String.valueOf(ITERATIONS), String.valueOf(maxFailures));
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("churn client did not finish in 180 s: " + Files.readString(log.toPath(), StandardCharsets.UTF_8));
            }
            return ChurnClient.Result.parse(Files.readString(log.toPath(), StandardCharsets.UTF_8));
        } finally {
            log.delete();
        }
    }

    /** The test class path (Surefire's own property when the JVM was started with a manifest-only jar). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static int exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Accepts on {@code listenHost} and copies bytes both ways to the server; counts the connections it got. */
    private static final class Relay implements AutoCloseable {
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(String listenHost, String serverHost, int serverPort) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(listenHost), 0), 512);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        accepted.add(client);
                        sockets.add(client);
                        Socket upstream = new Socket(serverHost, serverPort);
                        sockets.add(upstream);
                        daemon(() -> pipe(client, upstream));
                        daemon(() -> pipe(upstream, client));
                    } catch (IOException e) {
                        if (server.isClosed()) {
                            return;
                        }
                    }
                }
            }, "timewait-relay");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "timewait-relay-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void pipe(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                close(to);
                close(from);
            }
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            sockets.forEach(Relay::close);
        }
    }
}
