package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientLimitsConfigTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void defaultsAreValidAndThrottle() {
        ClientLimitsConfig limits = ClientLimitsConfig.defaults();
        assertEquals(10_000, limits.maxClientConns());
        assertEquals(0, limits.maxConnsPerUser());
        assertEquals(16L << 20, limits.maxHandshakeMemory());
        assertTrue(limits.throttlesLogins());
        assertFalse(new ClientLimitsConfig(1, 0, 1 << 20, 0, MINUTE).throttlesLogins());
    }

    @Test
    void eachBoundIsValidatedNamingItsFlag() {
        assertMessage("--max-client-conns must be at least 1, got 0", () -> new ClientLimitsConfig(0, 0, 1 << 20, 0, MINUTE));
        assertMessage("--max-conns-per-user must be 0 (no limit) or more, got -1",
                () -> new ClientLimitsConfig(1, -1, 1 << 20, 0, MINUTE));
        assertMessage("--max-handshake-memory must be at least 1M, got 1048575 bytes",
                () -> new ClientLimitsConfig(1, 0, (1 << 20) - 1, 0, MINUTE));
        assertMessage("--max-login-failures must be 0 (no throttle) or more, got -1",
                () -> new ClientLimitsConfig(1, 0, 1 << 20, -1, MINUTE));
        assertMessage("--login-failure-window must be positive, got PT-1S",
                () -> new ClientLimitsConfig(1, 0, 1 << 20, 5, Duration.ofSeconds(-1)));
    }

    @Test
    void berthConfigWithoutLimitsGetsTheDefaults() {
        BerthConfig config = new BerthConfig(java.util.List.of(new ListenAddress.Tcp("127.0.0.1", 0)),
                new BackendConfig(new HostPort("127.0.0.1", 3306), "root", "", BackendTlsConfig.OFF, Duration.ofSeconds(5)),
                BerthConfig.byName(java.util.List.of(UserCredential.parse("app:x"))), PoolConfig.defaults(),
                ClientTlsConfig.selfSigned(), ClientAuthConfig.of(BerthConfig.AUTO_AUTH), BerthConfig.DEFAULT_HANDSHAKE_TIMEOUT,
                BerthConfig.DEFAULT_MAX_PACKET_SIZE, 0);
        assertEquals(ClientLimitsConfig.defaults(), config.limits());
    }

    private static void assertMessage(String expected, Runnable construction) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, construction::run).getMessage());
    }
}
