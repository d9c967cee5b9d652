package dev.berth.proxy.cli;

import dev.berth.config.BackendConfig;
import dev.berth.config.BackendTlsConfig;
import dev.berth.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --backend*} flags: the MySQL server and the account Berth logs in with. */
public final class BackendOptions {

    @Option(names = "--backend", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:3306",
            description = "MySQL server to pool connections to ([v6]:port for IPv6), or embedded: a throwaway MariaDB "
                    + "on 127.0.0.1 for trying Berth, logged in to as root unless --backend-user is given, its data "
                    + "deleted at exit (needs the embedded-lib directory a build puts beside berth.jar). "
                    + "Default: ${DEFAULT-VALUE}")
    String address;

    @Option(names = "--backend-user", paramLabel = "NAME",
            description = "One service account every backend connection logs in as. Default: none, each client "
                    + "acts on the server as its own account (which must exist there with the same password)")
    String user;

    // No ${DEFAULT-VALUE} in the description: from BERTH_BACKEND_PASSWORD it would print the password.
    @Option(names = "--backend-password", paramLabel = "PASSWORD", defaultValue = "",
            description = "Password of --backend-user. Prefer BERTH_BACKEND_PASSWORD: flags show in ps. "
                    + "Default: empty")
    String password;

    @Option(names = "--backend-tls",
            description = "Use TLS to the backend, verifying its certificate as --backend-tls-verify says.")
    boolean tls;

    // No defaultValue, so that a mode given without --backend-tls, which would be ignored, can be seen and refused.
    @Option(names = "--backend-tls-verify", paramLabel = "MODE", converter = VerifyConverter.class,
            description = "What --backend-tls checks of the server certificate: full (its chain and the host name of "
                    + "--backend), ca (the chain only), none (nothing: encrypted, but open to a man in the middle). "
                    + "Default: full")
    BackendTlsConfig.Verify verify;

    @Option(names = "--backend-tls-ca", paramLabel = "PEM",
            description = "CA certificates the backend's chain must lead to. Default: the JVM's trust store")
    Path ca;

    @Option(names = "--backend-connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Time allowed to connect and log in to the backend. Default: ${DEFAULT-VALUE}")
    Duration connectTimeout;

    /** Whether Berth starts its own backend, an {@link EmbeddedBackend}, on the port in {@link #toDomainObject()}. */
    boolean embedded() {
        return EmbeddedBackend.NAME.equals(address.strip());
    }

    BackendConfig toDomainObject() {
        if (connectTimeout.isZero()) {
            throw new IllegalArgumentException("--backend-connect-timeout must be positive");
        }
        if (embedded()) {
            if (tls) {
                throw new IllegalArgumentException("--backend-tls: the embedded backend has no TLS");
            }
            return new BackendConfig(new HostPort("127.0.0.1", freePort()), user == null ? "root" : user, password,
                    tls(), connectTimeout);
        }
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(address, "127.0.0.1");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
        }
        return new BackendConfig(hostPort, user, password, tls(), connectTimeout);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the embedded backend", e);
        }
    }

    private BackendTlsConfig tls() {
        if (verify != null && !tls) {
            throw new IllegalArgumentException("--backend-tls-verify needs --backend-tls");
        }
        if (ca != null && tls && !Files.isReadable(ca)) {
            // Caught here, the mistake exits with a usage error instead of a failed start.
            throw new IllegalArgumentException("--backend-tls-ca " + ca + ": "
                    + (Files.exists(ca) ? "cannot be read" : "no such file"));
        }
        return new BackendTlsConfig(tls, verify == null ? BackendTlsConfig.Verify.FULL : verify,
                Optional.ofNullable(ca));
    }

    /** Verification modes are written in lower case, as in the documentation. */
    static final class VerifyConverter implements ITypeConverter<BackendTlsConfig.Verify> {
        @Override
        public BackendTlsConfig.Verify convert(String value) {
            try {
                return BackendTlsConfig.Verify.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a verification mode; use one of: "
                        + "full, ca, none");
            }
        }
    }
}
