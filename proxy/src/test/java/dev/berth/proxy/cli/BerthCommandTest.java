package dev.berth.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BackendConfig;
import dev.berth.config.BackendTlsConfig;
import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import dev.berth.config.ClientLimitsConfig;
import dev.berth.config.ClientTlsConfig;
import dev.berth.config.HostPort;
import dev.berth.config.ListenAddress;
import dev.berth.config.OperationsConfig;
import dev.berth.config.PoolConfig;
import dev.berth.config.PoolMode;
import dev.berth.config.TransportKind;
import dev.berth.config.UserCredential;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BerthCommandTest {

    private static final String HASH = "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19";

    /** Every flag the command has; --help must list them all. */
    private static final List<String> FLAGS = List.of("--listen", "--backend", "--backend-user", "--backend-password",
            "--backend-tls", "--backend-tls-verify", "--backend-tls-ca", "--backend-connect-timeout", "--user", "--users-file", "--max-open-conns",
            "--max-idle-conns", "--min-idle-conns", "--conn-max-lifetime", "--conn-max-idle-time", "--idle-ping-after",
            "--keepalive-interval", "--max-connecting", "--max-open-conns-per-account", "--acquire-timeout", "--pool-mode", "--tls", "--no-tls", "--tls-cert", "--tls-key", "--require-tls",
            "--default-auth", "--caching-sha2-full-auth", "--rsa-key", "--event-loops", "--handshake-timeout",
            "--max-packet-size", "--max-client-conns", "--max-conns-per-user", "--max-handshake-memory",
            "--max-login-failures", "--login-failure-window", "--http-listen", "--admin-listen", "--admin-user",
            "--shutdown-timeout", "--stats-interval", "--log-format", "--listen-mode", "--transport", "--config",
            "--help", "--version");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(Map<String, String> environment, String... args) {
        CommandLine commandLine = BerthCommand.commandLine(environment, args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void defaults() {
        BerthConfig config = BerthCommand.toConfig("--user", "app:secret");

        assertEquals(List.of(new ListenAddress.Tcp("127.0.0.1", 6033)), config.listen());
        assertEquals(new HostPort("127.0.0.1", 3306), config.backend().address());
        assertNull(config.backend().user(), "each client acts on the server as its own account by default");
        assertEquals("", config.backend().password());
        assertEquals(BackendTlsConfig.OFF, config.backend().tls());
        assertEquals(Duration.ofSeconds(5), config.backend().connectTimeout());
        assertEquals(PoolConfig.defaults(), config.pool());
        assertEquals(ClientTlsConfig.selfSigned(), config.clientTls());
        assertEquals(ClientAuthConfig.of(BerthConfig.AUTO_AUTH), config.clientAuth());
        assertEquals(BerthConfig.DEFAULT_HANDSHAKE_TIMEOUT, config.handshakeTimeout());
        assertEquals(BerthConfig.DEFAULT_MAX_PACKET_SIZE, config.maxPacketSize());
        assertEquals(List.of("app"), List.copyOf(config.users().keySet()));
        assertArrayEquals(utf8("secret"), config.users().get("app").password().orElseThrow());
    }

    @Test
    void everyFlag() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not parsed until start");
        Path key = Files.writeString(dir.resolve("key.pem"), "not parsed until start");
        Path usersFile = Files.writeString(dir.resolve("users"), "filed:pw\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed until start");
        Path rsaKey = Files.writeString(dir.resolve("rsa.pem"), "not parsed until start");

        BerthConfig config = BerthCommand.toConfig(
                "--listen", "127.0.0.1:7000", "--listen", "[::1]:7001", "--listen", "unix:/run/berth.sock",
                "--backend", "db.internal:3307", "--backend-user", "berth", "--backend-password", "p,w:d",
                "--backend-tls", "--backend-tls-verify", "ca", "--backend-tls-ca", ca.toString(),
                "--backend-connect-timeout", "1500ms",
                "--user", "app:a,b", "--user", "ro:" + HASH, "--users-file", usersFile.toString(),
                "--max-open-conns", "64", "--acquire-timeout", "2m", "--pool-mode", "SESSION",
                "--tls", "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--require-tls",
                "--default-auth", "mysql_native_password", "--caching-sha2-full-auth", "--rsa-key", rsaKey.toString(),
                "--handshake-timeout", "1h", "--max-packet-size", "64M");

        assertEquals(List.of(new ListenAddress.Tcp("127.0.0.1", 7000), new ListenAddress.Tcp("::1", 7001),
                new ListenAddress.Unix(Path.of("/run/berth.sock"))), config.listen());
        BackendTlsConfig tls = new BackendTlsConfig(true, BackendTlsConfig.Verify.CA, Optional.of(ca));
        assertEquals(new BackendConfig(new HostPort("db.internal", 3307), "berth", "p,w:d", tls,
                Duration.ofMillis(1500)).toString(), config.backend().toString());
        assertEquals("p,w:d", config.backend().password());
        assertEquals(tls, config.backend().tls());
        assertEquals(Duration.ofMillis(1500), config.backend().connectTimeout());
        // A comma in a --user flag is part of the password.
        assertArrayEquals(utf8("a,b"), config.users().get("app").password().orElseThrow());
        assertEquals(20, config.users().get("ro").nativeHash().orElseThrow().length);
        assertArrayEquals(utf8("pw"), config.users().get("filed").password().orElseThrow());
        assertEquals(3, config.users().size());
        assertEquals(new PoolConfig(PoolMode.SESSION, 64, Duration.ofMinutes(2)), config.pool());
        assertEquals(new ClientTlsConfig(true, Optional.of(cert), Optional.of(key), true), config.clientTls());
        assertEquals(new ClientAuthConfig(BerthConfig.MYSQL_NATIVE_PASSWORD, true, Optional.of(rsaKey)),
                config.clientAuth());
        assertEquals(Duration.ofHours(1), config.handshakeTimeout());
        assertEquals(64L << 20, config.maxPacketSize());
    }

    @Test
    void operationsFlags() {
        assertEquals(OperationsConfig.defaults(), BerthCommand.toConfig("--user", "app:x").operations());
        OperationsConfig operations = BerthCommand.toConfig("--user", "app:x", "--http-listen", ":9090",
                "--admin-listen", "127.0.0.1:6034", "--admin-user", "admin:pw", "--shutdown-timeout", "5s",
                "--stats-interval", "0", "--log-format", "JSON", "--listen-mode", "0660").operations();
        assertEquals(Optional.of(new HostPort("0.0.0.0", 9090)), operations.httpListen());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 6034)), operations.adminListen());
        assertEquals("admin", operations.adminUser().orElseThrow().name());
        assertEquals(Duration.ofSeconds(5), operations.shutdownTimeout());
        assertEquals(Duration.ZERO, operations.statsInterval());
        assertEquals(OperationsConfig.LogFormat.JSON, operations.logFormat());
        assertEquals(Optional.of(0660), operations.unixSocketMode());
        assertEquals(TransportKind.IO_URING, BerthCommand.toConfig("--user", "app:x", "--transport", "io_uring")
                .operations().transport());
        assertEquals("--transport must be auto, epoll, io_uring or nio, got 'kqueue'",
                assertThrows(IllegalArgumentException.class,
                        () -> BerthCommand.toConfig("--user", "app:x", "--transport", "kqueue")).getMessage());
        assertEquals("--admin-listen needs --admin-user name:password", assertThrows(IllegalArgumentException.class,
                () -> BerthCommand.toConfig("--user", "app:x", "--admin-listen", ":6034")).getMessage());
        assertEquals("--log-format must be text or json, got 'xml'", assertThrows(IllegalArgumentException.class,
                () -> BerthCommand.toConfig("--user", "app:x", "--log-format", "xml")).getMessage());
        assertEquals("--listen-mode must be an octal mode such as 0660, got '0999'",
                assertThrows(IllegalArgumentException.class,
                        () -> BerthCommand.toConfig("--user", "app:x", "--listen-mode", "0999")).getMessage());
    }

    @Test
    void limitFlagsFromFlagsAndTheEnvironment() {
        assertEquals(ClientLimitsConfig.defaults(), BerthCommand.toConfig("--user", "app:x").limits());
        assertEquals(new ClientLimitsConfig(10_000, 0, 16L << 20, 100, Duration.ofMinutes(1)),
                ClientLimitsConfig.defaults());
        assertEquals(new ClientLimitsConfig(500, 20, 4L << 20, 5, Duration.ofSeconds(30)),
                BerthCommand.toConfig("--user", "app:x", "--max-client-conns", "500", "--max-conns-per-user", "20",
                        "--max-handshake-memory", "4M", "--max-login-failures", "5", "--login-failure-window", "30s")
                        .limits());
        assertEquals(new ClientLimitsConfig(7, 3, 2L << 20, 0, Duration.ofMinutes(5)),
                BerthCommand.toConfig(Map.of("BERTH_MAX_CLIENT_CONNS", "7", "BERTH_MAX_CONNS_PER_USER", "3",
                        "BERTH_MAX_HANDSHAKE_MEMORY", "2M", "BERTH_MAX_LOGIN_FAILURES", "0",
                        "BERTH_LOGIN_FAILURE_WINDOW", "5m"), "--user", "app:x").limits());
    }

    @Test
    void invalidLimitsAreUsageErrors() {
        assertUsageError("--max-client-conns must be at least 1, got 0", Map.of(), "--user", "a:x",
                "--max-client-conns", "0");
        err.getBuffer().setLength(0);
        assertUsageError("--max-conns-per-user must be 0 (no limit) or more, got -1", Map.of(), "--user", "a:x",
                "--max-conns-per-user", "-1");
        err.getBuffer().setLength(0);
        assertUsageError("--max-handshake-memory must be at least 1M, got 65536 bytes", Map.of(), "--user", "a:x",
                "--max-handshake-memory", "64K");
        err.getBuffer().setLength(0);
        assertUsageError("--max-login-failures must be 0 (no throttle) or more, got -2", Map.of(), "--user", "a:x",
                "--max-login-failures", "-2");
        err.getBuffer().setLength(0);
        assertUsageError("--login-failure-window must be positive, got PT0S", Map.of(), "--user", "a:x",
                "--login-failure-window", "0s");
    }

    @Test
    void equalsSignFormAndNoTls() {
        BerthConfig config = BerthCommand.toConfig("--user=app:x", "--no-tls", "--max-packet-size=1024");
        assertFalse(config.clientTls().enabled());
        assertEquals(1024, config.maxPacketSize());
    }

    @Test
    void everyFlagFromTheEnvironment() throws Exception {
        Path usersFile = Files.writeString(dir.resolve("users"), "filed:pw\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed until start");
        Path rsaKey = Files.writeString(dir.resolve("rsa.pem"), "not parsed until start");
        Map<String, String> environment = Map.ofEntries(
                Map.entry("BERTH_LISTEN", "127.0.0.1:7000, unix:/run/berth.sock"),
                Map.entry("BERTH_BACKEND", "db:3307"),
                Map.entry("BERTH_BACKEND_USER", "berth"),
                Map.entry("BERTH_BACKEND_PASSWORD", "from-env"),
                Map.entry("BERTH_BACKEND_TLS", "true"),
                Map.entry("BERTH_BACKEND_TLS_VERIFY", "ca"),
                Map.entry("BERTH_BACKEND_TLS_CA", ca.toString()),
                Map.entry("BERTH_BACKEND_CONNECT_TIMEOUT", "2s"),
                Map.entry("BERTH_USER", "app:one,ro:" + HASH),
                Map.entry("BERTH_USERS_FILE", usersFile.toString()),
                Map.entry("BERTH_MAX_OPEN_CONNS", "8"),
                Map.entry("BERTH_ACQUIRE_TIMEOUT", "250ms"),
                Map.entry("BERTH_POOL_MODE", "session"),
                Map.entry("BERTH_TLS", "false"),
                Map.entry("BERTH_DEFAULT_AUTH", "mysql_native_password"),
                Map.entry("BERTH_CACHING_SHA2_FULL_AUTH", "true"),
                Map.entry("BERTH_RSA_KEY", rsaKey.toString()),
                Map.entry("BERTH_HANDSHAKE_TIMEOUT", "3s"),
                Map.entry("BERTH_MAX_PACKET_SIZE", "16M"));

        BerthConfig config = BerthCommand.toConfig(environment);

        assertEquals(List.of(new ListenAddress.Tcp("127.0.0.1", 7000), new ListenAddress.Unix(Path.of("/run/berth.sock"))),
                config.listen());
        assertEquals(new HostPort("db", 3307), config.backend().address());
        assertEquals("berth", config.backend().user());
        assertEquals("from-env", config.backend().password());
        assertEquals(new BackendTlsConfig(true, BackendTlsConfig.Verify.CA, Optional.of(ca)), config.backend().tls());
        assertEquals(Duration.ofSeconds(2), config.backend().connectTimeout());
        assertEquals(3, config.users().size());
        assertArrayEquals(utf8("one"), config.users().get("app").password().orElseThrow());
        assertTrue(config.users().get("ro").nativeHash().isPresent());
        assertEquals(new PoolConfig(PoolMode.SESSION, 8, Duration.ofMillis(250)), config.pool());
        assertFalse(config.clientTls().enabled());
        assertEquals(new ClientAuthConfig(BerthConfig.MYSQL_NATIVE_PASSWORD, true, Optional.of(rsaKey)),
                config.clientAuth());
        assertEquals(Duration.ofSeconds(3), config.handshakeTimeout());
        assertEquals(16L << 20, config.maxPacketSize());
    }

    @Test
    void tlsSettingsFromTheEnvironment() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        BerthConfig config = BerthCommand.toConfig(Map.of("BERTH_USER", "app:x", "BERTH_TLS_CERT", cert.toString(),
                "BERTH_TLS_KEY", key.toString(), "BERTH_REQUIRE_TLS", "true"));
        assertEquals(new ClientTlsConfig(true, Optional.of(cert), Optional.of(key), true), config.clientTls());
    }

    @Test
    void aFlagWinsOverTheEnvironment() {
        Map<String, String> environment = Map.of("BERTH_MAX_OPEN_CONNS", "8", "BERTH_BACKEND_PASSWORD", "env",
                "BERTH_USER", "envuser:x,other:y", "BERTH_LISTEN", ":1,:2", "BERTH_TLS", "false");

        BerthConfig config = BerthCommand.toConfig(environment, "--max-open-conns", "16", "--backend-user", "berth",
                "--backend-password", "flag", "--user", "flaguser:z", "--listen", ":3", "--tls");

        assertEquals(16, config.pool().maxOpenConns());
        assertEquals("flag", config.backend().password());
        // A repeatable flag replaces the environment's list; it does not add to it.
        assertEquals(List.of("flaguser"), List.copyOf(config.users().keySet()));
        assertEquals(List.of(new ListenAddress.Tcp("0.0.0.0", 3)), config.listen());
        assertTrue(config.clientTls().enabled());
    }

    @Test
    void theEnvironmentWinsOverDefaultsOnlyForItsOwnFlags() {
        BerthConfig config = BerthCommand.toConfig(Map.of("BERTH_ACQUIRE_TIMEOUT", "1s", "UNRELATED", "x",
                "BERTH_LOG_LEVEL", "DEBUG"), "--user", "app:x");
        assertEquals(Duration.ofSeconds(1), config.pool().acquireTimeout());
        assertEquals(PoolConfig.DEFAULT_MAX_OPEN_CONNS, config.pool().maxOpenConns());
    }

    @Test
    void variableNamesFollowFlagNames() {
        assertEquals("BERTH_MAX_OPEN_CONNS", EnvironmentDefaultProvider.variableName("--max-open-conns"));
        assertEquals("BERTH_BACKEND_PASSWORD", EnvironmentDefaultProvider.variableName("--backend-password"));
        assertEquals("BERTH_TLS", EnvironmentDefaultProvider.variableName("--tls"));
    }

    @Test
    void toConfigReportsBadFlagsAsIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BerthCommand.toConfig("--user", "app:x", "--max-open-conns", "lots"));
        assertEquals("Invalid value for option '--max-open-conns': 'lots' is not an int; see berth --help",
                e.getMessage());
    }

    private void assertUsageError(String expectedMessage, Map<String, String> environment, String... args) {
        int exitCode = execute(environment, args);
        assertEquals(2, exitCode, err.toString());
        assertEquals("berth: " + expectedMessage + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void badFlagValuesExitWithTwoAndOneLine() {
        assertUsageError("Invalid value for option '--max-open-conns': 'lots' is not an int; see berth --help",
                Map.of(), "--user", "app:x", "--max-open-conns", "lots");
        err.getBuffer().setLength(0);
        assertUsageError("Invalid value for option '--acquire-timeout': '5' is not a duration; write e.g. 500ms, 5s, "
                + "2m, 1h or 1m30s; see berth --help", Map.of(), "--user", "app:x", "--acquire-timeout", "5");
        err.getBuffer().setLength(0);
        assertUsageError("Invalid value for option '--pool-mode': 'statement' is not a pool mode; use one of: "
                + "session, transaction; see berth --help", Map.of(), "--user", "app:x", "--pool-mode", "statement");
        err.getBuffer().setLength(0);
        assertUsageError("Invalid value for option '--max-packet-size': '1T' is not a size; write bytes or e.g. 64K, "
                + "16M, 1G; see berth --help", Map.of(), "--user", "app:x", "--max-packet-size", "1T");
        err.getBuffer().setLength(0);
        assertUsageError("Missing required parameter for option '--backend' (HOST:PORT); see berth --help",
                Map.of(), "--user", "app:x", "--backend");
    }

    @Test
    void aMistypedFlagGetsASuggestion() {
        assertUsageError("Unknown option: '--max-open-connections=5'; did you mean --max-packet-size or --max-open-conns or --max-idle-conns or --max-connecting?", Map.of(),
                "--user", "app:x", "--max-open-connections=5");
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertUsageError("Invalid value for option '--max-open-conns': 'lots' is not an int (from "
                + "BERTH_MAX_OPEN_CONNS); see berth --help", Map.of("BERTH_MAX_OPEN_CONNS", "lots"), "--user", "app:x");
    }

    @Test
    void aBadFlagValueDoesNotBlameTheEnvironment() {
        assertUsageError("Invalid value for option '--max-open-conns': 'lots' is not an int; see berth --help",
                Map.of("BERTH_MAX_OPEN_CONNS", "8"), "--user", "app:x", "--max-open-conns", "lots");
    }

    @Test
    void invalidConfigurationExitsWithTwoAndTheRecordsMessage() {
        assertUsageError("give at least one client account with --user name:password or --users-file, or drop "
                + "--backend-user to let the server verify each client's login", Map.of(), "--backend-user", "berth");
        err.getBuffer().setLength(0);
        assertUsageError("--max-open-conns must be at least 1, got 0", Map.of(), "--user", "a:x",
                "--max-open-conns", "0");
        err.getBuffer().setLength(0);
        assertUsageError("--acquire-timeout must be positive, got PT0S", Map.of(), "--user", "a:x",
                "--acquire-timeout", "0s");
        err.getBuffer().setLength(0);
        assertUsageError("--backend-connect-timeout must be positive", Map.of(), "--user", "a:x",
                "--backend-connect-timeout", "0ms");
        err.getBuffer().setLength(0);
        assertUsageError("--default-auth must be auto, mysql_native_password or caching_sha2_password, got sha256_password",
                Map.of(), "--user", "a:x", "--default-auth", "sha256_password");
        err.getBuffer().setLength(0);
        assertUsageError("--max-packet-size must be at least 1024 bytes", Map.of(), "--user", "a:x",
                "--max-packet-size", "100");
        err.getBuffer().setLength(0);
        assertUsageError("--backend-user must name the account Berth logs in to the backend with", Map.of(),
                "--user", "a:x", "--backend-user", "");
        err.getBuffer().setLength(0);
        assertUsageError("--max-idle-conns must be between 0 and --max-open-conns (4), got 5", Map.of(),
                "--user", "a:x", "--max-open-conns", "4", "--max-idle-conns", "5");
        err.getBuffer().setLength(0);
        assertUsageError("--min-idle-conns must be between 0 and --max-idle-conns (2), got 3", Map.of(),
                "--user", "a:x", "--max-idle-conns", "2", "--min-idle-conns", "3");
        err.getBuffer().setLength(0);
        assertUsageError("user 'a' is given twice", Map.of(), "--user", "a:x", "--user", "a:y");
    }

    @Test
    void invalidAddressesNameTheirFlag() {
        assertUsageError("--listen: 'localhost' has no port; write host:port, e.g. 127.0.0.1:3306", Map.of(),
                "--user", "a:x", "--listen", "localhost");
        err.getBuffer().setLength(0);
        assertUsageError("--listen: 'unix:' names no socket path; use unix:/path/to/berth.sock", Map.of(),
                "--user", "a:x", "--listen", "unix:");
        err.getBuffer().setLength(0);
        assertUsageError("--backend: 'db' has no port; write host:port, e.g. 127.0.0.1:3306", Map.of(),
                "--user", "a:x", "--backend", "db");
        err.getBuffer().setLength(0);
        assertUsageError("--user: user 'nopassword' must be written name:password or name:*HEX", Map.of(),
                "--user", "nopassword");
    }

    @Test
    void tlsFileMistakesAreUsageErrors() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path missing = dir.resolve("missing.pem");
        assertUsageError("--tls-cert and --tls-key go together; give both or neither", Map.of(),
                "--user", "a:x", "--tls-cert", cert.toString());
        err.getBuffer().setLength(0);
        assertUsageError("--tls-key " + missing + ": no such file", Map.of(),
                "--user", "a:x", "--tls-cert", cert.toString(), "--tls-key", missing.toString());
        err.getBuffer().setLength(0);
        assertUsageError("--require-tls needs TLS to be enabled", Map.of(), "--user", "a:x", "--no-tls",
                "--require-tls");
    }

    @Test
    void rsaKeyMistakesAreUsageErrors() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertUsageError("--rsa-key " + missing + ": no such file", Map.of(),
                "--user", "a:x", "--caching-sha2-full-auth", "--rsa-key", missing.toString());
        err.getBuffer().setLength(0);
        Path key = Files.writeString(dir.resolve("rsa.pem"), "x");
        assertUsageError("--rsa-key is used only with --caching-sha2-full-auth", Map.of(),
                "--user", "a:x", "--rsa-key", key.toString());
    }

    @Test
    void backendTlsVerifiesInFullByDefault() {
        assertEquals(new BackendTlsConfig(true, BackendTlsConfig.Verify.FULL, Optional.empty()),
                BerthCommand.toConfig("--user", "a:x", "--backend-tls").backend().tls());
        assertEquals(BackendTlsConfig.Verify.NONE, BerthCommand.toConfig("--user", "a:x", "--backend-tls",
                "--backend-tls-verify", "NONE").backend().tls().verify());
    }

    @Test
    void backendTlsMistakesAreUsageErrors() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path missing = dir.resolve("missing.pem");
        assertUsageError("Invalid value for option '--backend-tls-verify': 'strict' is not a verification mode; "
                + "use one of: full, ca, none; see berth --help", Map.of(), "--user", "a:x", "--backend-tls",
                "--backend-tls-verify", "strict");
        err.getBuffer().setLength(0);
        // Without --backend-tls these would be ignored, and the backend reached in plain text.
        assertUsageError("--backend-tls-verify needs --backend-tls", Map.of(), "--user", "a:x",
                "--backend-tls-verify", "full");
        err.getBuffer().setLength(0);
        assertUsageError("--backend-tls-ca needs --backend-tls", Map.of("BERTH_BACKEND_TLS_CA", ca.toString()),
                "--user", "a:x");
        err.getBuffer().setLength(0);
        assertUsageError("--backend-tls-ca has no use with --backend-tls-verify none, which trusts any certificate; "
                + "drop one of them", Map.of(), "--user", "a:x", "--backend-tls", "--backend-tls-verify", "none",
                "--backend-tls-ca", ca.toString());
        err.getBuffer().setLength(0);
        assertUsageError("--backend-tls-ca " + missing + ": no such file", Map.of(), "--user", "a:x",
                "--backend-tls", "--backend-tls-ca", missing.toString());
    }

    @Test
    void usersFileErrorsNameTheLine() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), "# accounts\napp:x\nbroken\n");
        assertUsageError(users + ":3: write name:password or name:*HEX (40 hex digits)", Map.of(),
                "--users-file", users.toString());
    }

    @Test
    void aMistypedHashIsAUsageError() throws Exception {
        String why = "a password starting with * must be a mysql_native_password hash, * and 40 hex digits; "
                + "a plain password cannot start with *, which marks a hash";
        // toConfig first: accepted, the flags would start a server instead of failing.
        assertThrows(IllegalArgumentException.class, () -> BerthCommand.toConfig("--user", "app:*ZZ"));
        assertUsageError("--user: user 'app': " + why, Map.of(), "--user", "app:*ZZ");
        err.getBuffer().setLength(0);
        Path users = Files.writeString(dir.resolve("users"), "# accounts\nok:x\nro:*2470C0C06DEE42FD\n");
        assertThrows(IllegalArgumentException.class, () -> BerthCommand.toConfig("--users-file", users.toString()));
        assertUsageError(users + ":3: user 'ro': " + why, Map.of(), "--users-file", users.toString());
    }

    @Test
    void aUserInTheFileAndOnTheCommandLineIsGivenTwice() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), "app:x\n");
        assertUsageError("user 'app' is given twice", Map.of(), "--user", "app:y", "--users-file", users.toString());
    }

    @Test
    void helpListsEveryFlagAndTheEnvironment() {
        assertEquals(0, execute(Map.of(), "--help"));
        String help = out.toString();
        for (String flag : FLAGS) {
            String shown = flag.equals("--tls") || flag.equals("--no-tls") ? "--[no-]tls" : flag;
            assertTrue(help.contains(shown + " ") || help.contains(shown + "=") || help.contains(shown + "\n")
                    || help.contains(shown + System.lineSeparator()), flag + " missing from\n" + help);
        }
        assertTrue(help.contains("BERTH_<FLAG>"), help);
        assertEquals("", err.toString());
    }

    @Test
    void helpNeverShowsSecretsFromTheEnvironment() {
        assertEquals(0, execute(Map.of("BERTH_BACKEND_PASSWORD", "hunter2", "BERTH_USER", "app:sw0rdfish"), "--help"));
        assertFalse(out.toString().contains("hunter2"), out.toString());
        assertFalse(out.toString().contains("sw0rdfish"), out.toString());
    }

    @Test
    void everyOptionHasAnEnvironmentVariable() {
        CommandLine commandLine = BerthCommand.commandLine(Map.of());
        List<String> longNames = commandLine.getCommandSpec().options().stream()
                .filter(option -> !option.usageHelp() && !option.versionHelp())
                .map(CommandLine.Model.OptionSpec::longestName)
                .toList();
        assertEquals(FLAGS.stream().filter(f -> !List.of("--no-tls", "--help", "--version").contains(f)).sorted()
                .toList(), longNames.stream().sorted().toList());
        for (String name : longNames) {
            String variable = EnvironmentDefaultProvider.variableName(name);
            assertEquals("probe", defaultFor(BerthCommand.commandLine(Map.of(variable, "probe")), name), variable);
        }
    }

    private static String defaultFor(CommandLine commandLine, String option) {
        try {
            return commandLine.getDefaultValueProvider().defaultValue(commandLine.getCommandSpec().findOption(option));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void versionIsNeverNull() {
        assertEquals(0, execute(Map.of(), "--version"));
        String version = out.toString().strip();
        assertTrue(version.matches("berth \\S+"), version);
        assertFalse(version.contains("null") || version.contains("${"), version);
        assertEquals("berth " + VersionProvider.version(), version);
    }

    @Test
    void aServerThatCannotStartExitsWithOneAndOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String listen = "127.0.0.1:" + taken.getLocalPort();
            int exitCode = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> execute(Map.of(), "--user", "a:x", "--no-tls", "--listen", listen));
            assertEquals(1, exitCode);
            assertTrue(err.toString().startsWith("berth: cannot start: "), err.toString());
            assertEquals(1, err.toString().lines().count(), err.toString());
        }
    }

    @Test
    void withoutAccountsOrAServiceAccountTheServerVerifiesLogins() {
        BerthConfig config = BerthCommand.toConfig();
        assertTrue(config.serverVerifiesLogins());
        assertTrue(BerthCommand.summary(config, List.of()).contains("; logins verified by the server;"),
                BerthCommand.summary(config, List.of()));
    }

    @Test
    void aBackendPasswordWithoutABackendUserIsAUsageError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BerthCommand.toConfig("--user", "app:secret", "--backend-password", "x"));
        assertTrue(e.getMessage().contains("--backend-password needs --backend-user"), e.getMessage());
    }

    @Test
    void startupSummary() throws Exception {
        BerthConfig config = BerthCommand.toConfig("--user", "a:x", "--user", "b:y", "--listen", "127.0.0.1:0",
                "--listen", "unix:/run/b.sock", "--backend", "db:3306", "--backend-user", "berth",
                "--max-open-conns", "10", "--acquire-timeout", "1m30s", "--require-tls");
        String summary = BerthCommand.summary(config, List.of(new InetSocketAddress("127.0.0.1", 41000),
                new InetSocketAddress("::1", 41001)));
        assertEquals("berth " + VersionProvider.version() + " listening on 127.0.0.1:41000, [0:0:0:0:0:0:0:1]:41001; "
                + "backend berth@db:3306; pool session max-open-conns=10 acquire-timeout=1m30s; 2 users; "
                + "client tls on, self-signed, required", summary);

        String beforeBind = BerthCommand.summary(BerthCommand.toConfig("--user", "a:x", "--no-tls",
                "--listen", "unix:/run/b.sock", "--backend-tls"), List.of());
        assertTrue(beforeBind.contains("listening on unix:/run/b.sock; backend as each client's account at 127.0.0.1:3306 (tls, verify full); "),
                beforeBind);
        assertTrue(beforeBind.endsWith("; 1 user; client tls off"), beforeBind);
        assertFalse(beforeBind.contains(":x"), beforeBind);
    }
}
