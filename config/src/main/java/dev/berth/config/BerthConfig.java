package dev.berth.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything Berth runs with, validated and immutable.
 *
 * @param clientAuth        how clients are authenticated: the plugin in Berth's greeting, full authentication
 * @param maxPacketSize     the largest logical packet a client may send, across continuation frames
 * @param eventLoops        threads serving client and backend sockets (0: {@link #defaultEventLoops()})
 * @param limits            what clients may take: connections, logins in progress, failed logins
 * @param operations        metrics and probes, the admin console, shutdown, logs
 */
public record BerthConfig(List<ListenAddress> listen, BackendConfig backend, Map<String, UserCredential> users,
                          PoolConfig pool, ClientTlsConfig clientTls, ClientAuthConfig clientAuth,
                          Duration handshakeTimeout, long maxPacketSize, int eventLoops, ClientLimitsConfig limits,
                          OperationsConfig operations) {

    public static final String MYSQL_NATIVE_PASSWORD = "mysql_native_password";
    public static final String CACHING_SHA2_PASSWORD = "caching_sha2_password";
    /** Offer what the backend itself would: caching_sha2_password for MySQL 8 and later, else native. */
    public static final String AUTO_AUTH = "auto";
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_PACKET_SIZE = 1L << 30;

    public BerthConfig {
        listen = List.copyOf(listen);
        users = Map.copyOf(users);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("give at least one --listen address");
        }
        if (users.isEmpty() && backend.user() != null) {
            throw new IllegalArgumentException("give at least one client account with --user name:password or "
                    + "--users-file, or drop --backend-user to let the server verify each client's login");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("--handshake-timeout must be positive");
        }
        if (eventLoops < 0) {
            throw new IllegalArgumentException("--event-loops must be 0 (automatic) or more, got " + eventLoops);
        }
        if (maxPacketSize < 1024) {
            throw new IllegalArgumentException("--max-packet-size must be at least 1024 bytes");
        }
    }

    /** Everything but how Berth is operated, which is left at its defaults. */
    public BerthConfig(List<ListenAddress> listen, BackendConfig backend, Map<String, UserCredential> users,
                       PoolConfig pool, ClientTlsConfig clientTls, ClientAuthConfig clientAuth,
                       Duration handshakeTimeout, long maxPacketSize, int eventLoops, ClientLimitsConfig limits) {
        this(listen, backend, users, pool, clientTls, clientAuth, handshakeTimeout, maxPacketSize, eventLoops, limits,
                OperationsConfig.defaults());
    }

    /** Everything but the client limits and operations, which are left at their defaults. */
    public BerthConfig(List<ListenAddress> listen, BackendConfig backend, Map<String, UserCredential> users,
                       PoolConfig pool, ClientTlsConfig clientTls, ClientAuthConfig clientAuth,
                       Duration handshakeTimeout, long maxPacketSize, int eventLoops) {
        this(listen, backend, users, pool, clientTls, clientAuth, handshakeTimeout, maxPacketSize, eventLoops,
                ClientLimitsConfig.defaults());
    }

    /**
     * No accounts of Berth's own: the first login of an account is verified by the server (its password, which
     * caching_sha2_password's full authentication gives Berth, logs in to the backend), later ones against what was
     * learnt then.
     */
    public boolean serverVerifiesLogins() {
        return users.isEmpty();
    }

    /**
     * One event loop per two cores. A sidecar shares its few cores with the application and often the database;
     * measured on 2 cores, one loop spent a quarter less CPU per query than two (fewer thread wake-ups).
     */
    public static int defaultEventLoops() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** The configured event loop count, or the default for this machine. */
    public int effectiveEventLoops() {
        return eventLoops == 0 ? defaultEventLoops() : eventLoops;
    }

    /** Indexes users by name, refusing duplicates. */
    public static Map<String, UserCredential> byName(List<UserCredential> users) {
        return users.stream().collect(Collectors.toMap(UserCredential::name, Function.identity(), (a, b) -> {
            throw new IllegalArgumentException("user '" + a.name() + "' is given twice");
        }));
    }
}
