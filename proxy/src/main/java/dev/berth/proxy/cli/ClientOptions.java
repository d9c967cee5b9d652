package dev.berth.proxy.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The flags for the client side: where Berth listens, who may log in, and handshake limits. */
public final class ClientOptions {

    @Option(names = "--listen", paramLabel = "ADDRESS", defaultValue = "127.0.0.1:6033",
            description = "Address to accept clients on: host:port, [v6]:port, :port (all interfaces) or "
                    + "unix:/path. Repeatable. Default: ${DEFAULT-VALUE}")
    List<String> listen = new ArrayList<>();

    // No ${DEFAULT-VALUE}: from BERTH_USER it would print passwords.
    @Option(names = "--user", paramLabel = "NAME:PASSWORD",
            description = "Client account: name:password, or name:*HEX with the mysql_native_password hash "
                    + "(SHA1(SHA1(password)), as in mysql.user); a plain password cannot start with *. Repeatable.")
    List<String> users = new ArrayList<>();

    @Option(names = "--users-file", paramLabel = "PATH",
            description = "File of client accounts, one name:password or name:*HEX a line; # starts a comment.")
    Path usersFile;

    @Option(names = "--default-auth", paramLabel = "PLUGIN", defaultValue = BerthConfig.AUTO_AUTH,
            description = "Auth plugin offered in the greeting: " + BerthConfig.CACHING_SHA2_PASSWORD + ", "
                    + BerthConfig.MYSQL_NATIVE_PASSWORD + ", or " + BerthConfig.AUTO_AUTH
                    + " (what the backend offers by default: caching_sha2_password from MySQL 8 on, else native;"
                    + " caching_sha2_password under --caching-sha2-full-auth). Default: ${DEFAULT-VALUE}")
    String defaultAuth;

    @Option(names = "--caching-sha2-full-auth",
            description = "Every login is caching_sha2_password's full authentication, as to MySQL 8 accounts not "
                    + "yet cached: clients send the password itself, over TLS, or without TLS RSA-encrypted with "
                    + "Berth's public key (Connector/J: allowPublicKeyRetrieval=true or serverRSAPublicKeyFile). Other "
                    + "plugins are switched to caching_sha2_password (clients without it can't log in), *HEX accounts "
                    + "included, and --default-auth auto offers it.")
    boolean cachingSha2FullAuth;

    @Option(names = "--rsa-key", paramLabel = "PEM",
            description = "RSA private key for --caching-sha2-full-auth without TLS (PKCS#8, or PKCS#1 as MySQL's "
                    + "private_key.pem), so that clients may pin its public key. Default: a 2048-bit key generated "
                    + "at start.")
    Path rsaKey;

    @Option(names = "--event-loops", paramLabel = "N", defaultValue = "0",
            description = "Threads serving client and backend sockets; 0 picks one per two cores. Default: ${DEFAULT-VALUE}")
    int eventLoops;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Time a client has to log in. Default: ${DEFAULT-VALUE}")
    Duration handshakeTimeout;

    @Option(names = "--max-packet-size", paramLabel = "SIZE", defaultValue = "1G",
            converter = ByteSizeConverter.class,
            description = "Largest packet a client may send, e.g. 64M or 1G. Default: ${DEFAULT-VALUE}")
    long maxPacketSize;

    ClientAuthConfig toAuthConfig() {
        ClientAuthConfig config = new ClientAuthConfig(defaultAuth, cachingSha2FullAuth, Optional.ofNullable(rsaKey));
        if (rsaKey != null && !Files.isReadable(rsaKey)) {
            // Caught here, the mistake exits with a usage error instead of a failed start.
            throw new IllegalArgumentException("--rsa-key " + rsaKey + ": "
                    + (Files.exists(rsaKey) ? "cannot be read" : "no such file"));
        }
        return config;
    }
}
