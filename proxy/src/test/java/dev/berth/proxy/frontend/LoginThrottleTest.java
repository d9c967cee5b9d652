package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final long WINDOW = TimeUnit.SECONDS.toNanos(60);
    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 40000);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 40000);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private LoginThrottle throttle(int maxFailures) {
        return new LoginThrottle(maxFailures, WINDOW, now::get);
    }

    @Test
    void theFirstFailuresAreAnsweredAtOnceLaterOnesLaterAndLaterUpToTwoSeconds() {
        LoginThrottle throttle = throttle(100);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            delays.add(throttle.failed(A));
        }
        assertEquals(List.of(0L, 0L, 0L, 250L, 500L, 1000L, 2000L, 2000L, 2000L), delays);
        assertEquals(0, throttle.failed(B), "another address has its own count");
        assertEquals(0, throttle.blockedForMillis(A));
    }

    @Test
    void atTheLimitTheAddressIsBlockedUntilItsWindowEnds() {
        LoginThrottle throttle = throttle(5);
        for (int i = 0; i < 4; i++) {
            throttle.failed(A);
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        }
        assertEquals(0, throttle.blockedForMillis(A));
        throttle.failed(A); // the 5th, 4 s after the first
        assertEquals(56_000, throttle.blockedForMillis(A));
        assertEquals(0, throttle.blockedForMillis(B));

        now.addAndGet(TimeUnit.SECONDS.toNanos(55));
        assertEquals(1_000, throttle.blockedForMillis(A));
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertEquals(0, throttle.blockedForMillis(A), "a new window starts clean");
        assertEquals(0, throttle.failed(A));
    }

    @Test
    void zeroFailuresTurnsTheThrottleOff() {
        LoginThrottle throttle = throttle(0);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, throttle.failed(A));
        }
        assertEquals(0, throttle.blockedForMillis(A));
        assertEquals(0, throttle.addresses());
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        assertEquals(LoginThrottle.key(new InetSocketAddress("2001:db8:1:2:aaaa::1", 1)),
                LoginThrottle.key(new InetSocketAddress("2001:db8:1:2:bbbb::2", 2)));
        assertNotEquals(LoginThrottle.key(new InetSocketAddress("2001:db8:1:2::1", 1)),
                LoginThrottle.key(new InetSocketAddress("2001:db8:1:3::1", 1)));
        assertEquals(LoginThrottle.key(new DomainSocketAddress("/tmp/a.sock")),
                LoginThrottle.key(new DomainSocketAddress("/tmp/b.sock")), "unix socket clients count as one");
    }

    @Test
    void theMapOfAddressesIsBoundedAndForgetsEndedWindows() {
        LoginThrottle throttle = throttle(3);
        for (int i = 0; i < 3; i++) {
            throttle.failed(A);
        }
        now.addAndGet(1);
        for (int i = 0; i < LoginThrottle.MAX_ADDRESSES + 500; i++) {
            throttle.failed(new InetSocketAddress("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 1));
        }
        assertEquals(LoginThrottle.MAX_ADDRESSES, throttle.addresses());
        assertEquals(0, throttle.blockedForMillis(A), "the oldest window made room");

        now.addAndGet(WINDOW);
        throttle.failed(B);
        assertEquals(1, throttle.addresses(), "ended windows are dropped when a new one starts");
    }
}
