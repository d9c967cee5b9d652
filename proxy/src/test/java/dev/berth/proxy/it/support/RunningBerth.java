package dev.berth.proxy.it.support;

import dev.berth.config.BerthConfig;
import dev.berth.proxy.cli.BerthCommand;
import dev.berth.proxy.cli.LiveConfiguration;
import dev.berth.proxy.pool.PoolStats;
import dev.berth.proxy.server.BerthServer;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Berth started in this JVM, in front of the {@link TestDatabase}, on a free loopback port, configured by the same
 * flags as the command line. Close it after use.
 */
public final class RunningBerth implements AutoCloseable {
    public static final String USER = "app";
    public static final String PASSWORD = "app-secret";
    public static final String POOL_MODE_PROPERTY = "berth.it.poolMode";
    /** Names the --transport of tests that give none (e.g. {@code -Dberth.it.transport=io_uring}). */
    public static final String TRANSPORT_PROPERTY = "berth.it.transport";

    private final BerthServer server;
    private final int port;

    private RunningBerth(BerthServer server) {
        this.server = server;
        this.port = ((InetSocketAddress) server.boundAddresses().get(0)).getPort();
    }

    /** Starts Berth with the test backend, user {@value #USER}, and any further flags. */
    public static RunningBerth start(String... extraFlags) throws InterruptedException {
        return startWithBackend(TestDatabase.get().hostPort(), extraFlags);
    }

    /**
     * Starts Berth in front of {@code backendHostPort} (which may be down, or a relay in front of the test database)
     * with the test database's administrative credentials, user {@value #USER}, and any further flags.
     */
    public static RunningBerth startWithBackend(String backendHostPort, String... extraFlags)
            throws InterruptedException {
        TestDatabase db = TestDatabase.get();
        return startAgainst(backendHostPort, db.rootUser(), db.rootPassword(), extraFlags);
    }

    /** Starts Berth in front of another backend, logging in to it as {@code backendUser}. */
    public static RunningBerth startAgainst(String backend, String backendUser, String backendPassword,
                                            String... extraFlags) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--backend", backend,
                "--backend-user", backendUser, "--backend-password", backendPassword,
                "--user", USER + ":" + PASSWORD));
        args.addAll(List.of(extraFlags));
        return startWith(args);
    }

    /**
     * Starts Berth with no service account: each client acts on the test database as its own account, which
     * {@code flags} must give with --user and which must exist on the server.
     */
    public static RunningBerth startAsEachClient(String... flags) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--backend",
                TestDatabase.get().hostPort()));
        args.addAll(List.of(flags));
        return startWith(args);
    }

    /** Whether tests that give no {@code --pool-mode} run Berth in transaction pool mode. */
    public static boolean transactionModeByDefault() {
        return "transaction".equals(System.getProperty(POOL_MODE_PROPERTY));
    }

    /**
     * Starts Berth with {@code args}, in the pool mode the system property {@value #POOL_MODE_PROPERTY} names when
     * the test gives none (the build runs the client-behaviour suites once per mode).
     */
    private static RunningBerth startWith(List<String> args) throws InterruptedException {
        String mode = System.getProperty(POOL_MODE_PROPERTY);
        if (mode != null && !args.contains("--pool-mode")) {
            args.addAll(List.of("--pool-mode", mode));
        }
        String transport = System.getProperty(TRANSPORT_PROPERTY);
        if (transport != null && !args.contains("--transport")) {
            args.addAll(List.of("--transport", transport));
        }
        String[] flags = args.toArray(String[]::new);
        BerthConfig config = BerthCommand.toConfig(Map.of(), flags);
        BerthServer server = new BerthServer(config);
        server.start();
        if (config.operations().adminListen().isPresent()) {
            server.startAdmin(new LiveConfiguration(server, Map.of(), flags));
        }
        return new RunningBerth(server);
    }

    public int port() {
        return port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** A MySQL Connector/J URL to the test database through Berth; append {@code &key=value} options. */
    public String mysqlUrl(String options) {
        return "jdbc:mysql://" + hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + "&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    /** A MariaDB Connector/J URL to the test database through Berth; append {@code &key=value} options. */
    public String mariadbUrl(String options) {
        return "jdbc:mariadb://" + hostPort() + "/" + TestDatabase.DATABASE + "?sslMode=disable&connectTimeout=10000&socketTimeout=120000"
                + (options.isEmpty() ? "" : "&" + options);
    }

    public Connection mysqlConnection(String options) throws SQLException {
        return DriverManager.getConnection(mysqlUrl(options), USER, PASSWORD);
    }

    public Connection mariadbConnection(String options) throws SQLException {
        return DriverManager.getConnection(mariadbUrl(options), USER, PASSWORD);
    }

    /** The port of {@code --http-listen}. */
    public int httpPort() {
        return server.httpAddress().orElseThrow().getPort();
    }

    /** The port of {@code --admin-listen}. */
    public int adminPort() {
        return server.adminAddress().orElseThrow().getPort();
    }

    public PoolStats poolStats() {
        return server.poolStats();
    }

    public BerthServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
