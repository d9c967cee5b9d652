package dev.berth.proxy.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A MySQL 8.4 server in Docker ({@value #IMAGE}) for tests that need real MySQL rather than
 * MariaDB (caching_sha2_password, MySQL-only metadata). One container per JVM, started on first
 * use, removed by Testcontainers' reaper when the JVM exits.
 *
 * <p>Use it only from test classes annotated {@link RequiresDocker} (skipped, with the reason
 * printed, when there is no Docker engine). {@link #get()} additionally aborts the calling test
 * with a JUnit assumption (reported as skipped) when Docker is not available. The Docker probe is
 * fast when there is no engine (no socket: well under a second, once per JVM).
 *
 * <p>The server has {@code max_allowed_packet=64M}, a database {@value #DATABASE}, and the root
 * password {@link #ROOT_PASSWORD}.
 */
public final class MySql8Container {

  public static final String IMAGE = "mysql:8.4";
  public static final String DATABASE = TestDatabase.DATABASE;
  public static final String ROOT_PASSWORD = "berth-root";

  private static MySQLContainer<?> container; // guarded by MySql8Container.class

  private MySql8Container() {}

  /** True if Testcontainers can talk to a Docker engine (result cached by Testcontainers). */
  public static boolean isDockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /**
   * The running container, started on first call; aborts the calling test (skipped, with the
   * reason) when Docker is not available.
   */
  public static synchronized MySQLContainer<?> get() {
    Assumptions.assumeTrue(
        isDockerAvailable(),
        "Docker is not available: MySQL 8.4 (Testcontainers) tests are skipped");
    if (container == null) {
      @SuppressWarnings("resource") // lives for the whole JVM; Testcontainers' reaper removes it
      MySQLContainer<?> c =
          new MySQLContainer<>(DockerImageName.parse(IMAGE))
              .withDatabaseName(DATABASE)
              .withUsername("berth")
              .withPassword("berth")
              .withEnv("MYSQL_ROOT_PASSWORD", ROOT_PASSWORD)
              .withCommand("--max-allowed-packet=67108864");
      c.start();
      container = c;
    }
    return container;
  }

  /** {@code host:port} of the mapped MySQL port. */
  public static String hostPort() {
    MySQLContainer<?> c = get();
    return c.getHost() + ":" + c.getMappedPort(MySQLContainer.MYSQL_PORT);
  }

  /** A new root connection through MySQL Connector/J to {@value #DATABASE}. */
  public static Connection rootConnection() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mysql://" + hostPort() + "/" + DATABASE, "root", ROOT_PASSWORD);
  }
}
