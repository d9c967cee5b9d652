package dev.berth.proxy.frontend;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Failed logins per client address. The first {@value #FREE_FAILURES} failures of a window are answered at once,
 * later ones after a delay that doubles from {@value #FIRST_DELAY_MS} ms up to {@value #MAX_DELAY_MS} ms; at
 * {@code maxFailures} the address is refused outright until its window, which starts at its first failure, ends.
 *
 * <p>The delays slow a client that guesses one password after another; the block bounds one that guesses on many
 * connections at once (to {@code maxFailures} guesses a window). IPv6 addresses count by their /64, the block a
 * single host is usually given. Only failures make entries, at most {@value #MAX_ADDRESSES}; when full, the entry
 * whose window ends first is dropped. A successful login does not clear an address: an attacker with one valid
 * account could otherwise reset its count between guesses at another.
 */
final class LoginThrottle {
    static final int MAX_ADDRESSES = 10_000;
    static final int FREE_FAILURES = 3;
    static final long FIRST_DELAY_MS = 250;
    static final long MAX_DELAY_MS = 2_000;
    /** Unix socket clients have no address; they count as one. */
    private static final String LOCAL = "local";

    private final int maxFailures;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    /** In insertion order, which is the order of window starts: an entry is made anew when its window ends. */
    private final LinkedHashMap<Object, Window> windows = new LinkedHashMap<>();

    private static final class Window {
        final long start;
        int failures;

        Window(long start) {
            this.start = start;
        }
    }

    LoginThrottle(int maxFailures, long windowNanos, LongSupplier nanoClock) {
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /** Milliseconds until {@code address} may log in again; 0 when it may now. */
    synchronized long blockedForMillis(SocketAddress address) {
        if (maxFailures == 0) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        Window window = current(key(address), now);
        if (window == null || window.failures < maxFailures) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(window.start + windowNanos - now));
    }

    /**
     * Counts a failed login from {@code address}.
     *
     * @return how many milliseconds to wait before answering it
     */
    synchronized long failed(SocketAddress address) {
        if (maxFailures == 0) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        Object key = key(address);
        Window window = current(key, now);
        if (window == null) {
            expire(now);
            if (windows.size() >= MAX_ADDRESSES) {
                Iterator<Window> oldest = windows.values().iterator();
                oldest.next();
                oldest.remove();
            }
            window = new Window(now);
            windows.put(key, window);
        }
        window.failures++;
        int delayed = window.failures - FREE_FAILURES;
        return delayed <= 0 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(delayed - 1, 20));
    }

    /** The window of {@code key} if it has not ended; an ended one is dropped. */
    private Window current(Object key, long now) {
        Window window = windows.get(key);
        if (window != null && now - window.start >= windowNanos) {
            windows.remove(key);
            return null;
        }
        return window;
    }

    private void expire(long now) {
        Iterator<Window> oldest = windows.values().iterator();
        while (oldest.hasNext() && now - oldest.next().start >= windowNanos) {
            oldest.remove();
        }
    }

    synchronized int addresses() {
        return windows.size();
    }

    static Object key(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress ip = inet.getAddress();
            if (ip instanceof Inet6Address) {
                byte[] prefix = Arrays.copyOf(ip.getAddress(), 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                try {
                    return InetAddress.getByAddress(prefix);
                } catch (UnknownHostException e) {
                    throw new AssertionError(e); // 16 bytes are always an address
                }
            }
            return ip;
        }
        if (address instanceof DomainSocketAddress || address == null) {
            return LOCAL;
        }
        return address.toString();
    }
}
