package dev.berth.proxy.cli;

import dev.berth.config.BackendConfig;
import dev.berth.config.HostPort;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The {@code --backend*} flags: the MySQL server and the account Berth logs in with. */
public final class BackendOptions {

    @Option(names = "--backend", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:3306",
            description = "MySQL server to pool connections to ([v6]:port for IPv6). Default: ${DEFAULT-VALUE}")
    String address;

    @Option(names = "--backend-user", paramLabel = "NAME", defaultValue = "root",
            description = "Account Berth logs in to the backend with. Default: ${DEFAULT-VALUE}")
    String user;

    // No ${DEFAULT-VALUE} in the description: from BERTH_BACKEND_PASSWORD it would print the password.
    @Option(names = "--backend-password", paramLabel = "PASSWORD", defaultValue = "",
            description = "Password of --backend-user. Prefer BERTH_BACKEND_PASSWORD: flags show in ps. "
                    + "Default: empty")
    String password;

    @Option(names = "--backend-tls", description = "Use TLS to the backend (the server certificate is not verified).")
    boolean tls;

    @Option(names = "--backend-connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Time allowed to connect and log in to the backend. Default: ${DEFAULT-VALUE}")
    Duration connectTimeout;

    BackendConfig toDomainObject() {
        if (connectTimeout.isZero()) {
            throw new IllegalArgumentException("--backend-connect-timeout must be positive");
        }
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(address, "127.0.0.1");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
        }
        return new BackendConfig(hostPort, user, password, tls, connectTimeout);
    }
}
