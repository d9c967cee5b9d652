package dev.berth.proxy.frontend;

import dev.berth.config.ClientLimitsConfig;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;
import io.netty.channel.Channel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What clients may take of Berth, shared by all of them: client connections ({@code --max-client-conns}),
 * logged-in connections per account ({@code --max-conns-per-user}), memory for logins in progress
 * ({@link HandshakeMemory}) and failed logins per address ({@link LoginThrottle}). Each check answers with the ERR
 * to refuse with, or null.
 */
final class ClientLimits {
    private static final Logger log = LoggerFactory.getLogger(ClientLimits.class);

    private final ClientLimitsConfig config;
    private static final long OUT_OF_MEMORY_WARNING_INTERVAL = TimeUnit.SECONDS.toNanos(10);

    private final AtomicInteger clientConns = new AtomicInteger();
    private final AtomicLong outOfMemoryClosed = new AtomicLong();
    private final AtomicLong lastOutOfMemoryWarning = new AtomicLong();
    /** Logged-in connections per account; guarded by itself. */
    private final Map<String, Integer> userConns = new HashMap<>();
    private final HandshakeMemory handshakeMemory;
    private final LoginThrottle throttle;

    ClientLimits(ClientLimitsConfig config) {
        this.config = config;
        this.handshakeMemory = new HandshakeMemory(config.maxHandshakeMemory());
        this.throttle = new LoginThrottle(config.maxLoginFailures(), config.loginFailureWindow().toNanos(),
                System::nanoTime);
    }

    HandshakeMemory handshakeMemory() {
        return handshakeMemory;
    }

    /** A client connected: counted until its channel closes, unless refused. */
    ErrPacket admit(Channel channel) {
        ErrPacket blocked = loginBlocked(channel);
        if (blocked != null) {
            return blocked;
        }
        if (clientConns.incrementAndGet() > config.maxClientConns()) {
            clientConns.decrementAndGet();
            return ErrPacket.of(ErrorCode.TOO_MANY_CONNECTIONS, "berth: too many connections: "
                    + config.maxClientConns() + " clients are connected, the most --max-client-conns allows");
        }
        channel.closeFuture().addListener(f -> clientConns.decrementAndGet());
        return null;
    }

    int clientConns() {
        return clientConns.get();
    }

    /** ERR 1129 when the client's address has failed to log in too often lately. */
    ErrPacket loginBlocked(Channel channel) {
        long millis = throttle.blockedForMillis(channel.remoteAddress());
        if (millis == 0) {
            return null;
        }
        return ErrPacket.of(ErrorCode.HOST_IS_BLOCKED, "berth: too many failed logins from "
                + RemoteHost.of(channel) + "; wait " + (millis + 999) / 1000 + " s (--max-login-failures "
                + config.maxLoginFailures() + " per --login-failure-window " + windowSeconds() + "s)");
    }

    /** Counts a failed login; returns how many milliseconds to wait before saying so. */
    long loginFailed(Channel channel) {
        long delay = throttle.failed(channel.remoteAddress());
        if (throttle.blockedForMillis(channel.remoteAddress()) > 0) {
            log.warn("{} failed to log in {} times within {}s: refused until then (--max-login-failures)",
                    RemoteHost.of(channel), config.maxLoginFailures(), windowSeconds());
        }
        return delay;
    }

    /**
     * A client logged in as {@code user}, or changed to {@code user} with COM_CHANGE_USER; it counts for that account
     * until it changes again or closes.
     */
    ErrPacket admitUser(ClientSession session, String user) {
        String previous = session.user();
        if (user.equals(previous)) {
            return null;
        }
        synchronized (userConns) {
            int now = userConns.getOrDefault(user, 0);
            if (config.maxConnsPerUser() > 0 && now >= config.maxConnsPerUser()) {
                return ErrPacket.of(ErrorCode.TOO_MANY_CONNECTIONS, "berth: too many connections for user '" + user
                        + "': " + now + " are logged in, the most --max-conns-per-user allows");
            }
            userConns.put(user, now + 1);
            if (previous != null) {
                release(previous);
            }
        }
        if (previous == null) {
            // The session's account when it closes, which a COM_CHANGE_USER may have changed by then.
            session.channel().closeFuture().addListener(f -> {
                synchronized (userConns) {
                    release(session.user());
                }
            });
        }
        return null;
    }

    int userConns(String user) {
        synchronized (userConns) {
            return userConns.getOrDefault(user, 0);
        }
    }

    private void release(String user) {
        userConns.computeIfPresent(user, (name, count) -> count == 1 ? null : count - 1);
    }

    /** A client logging in was closed for want of memory; said in the log at most every 10 s, with a count. */
    void outOfMemory(Channel channel, Throwable cause) {
        long now = System.nanoTime();
        long closed = outOfMemoryClosed.incrementAndGet();
        long last = lastOutOfMemoryWarning.get();
        if ((last == 0 || now - last >= OUT_OF_MEMORY_WARNING_INTERVAL) && lastOutOfMemoryWarning.compareAndSet(last, now)) {
            log.warn("out of memory: {} clients logging in closed so far, the last from {} ({}); lower "
                    + "--max-handshake-memory or give the JVM more direct memory", closed, RemoteHost.of(channel),
                    cause.toString());
        }
    }

    private long windowSeconds() {
        return config.loginFailureWindow().toSeconds();
    }
}
