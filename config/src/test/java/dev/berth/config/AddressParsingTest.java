package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AddressParsingTest {

    @Test
    void hostPort() {
        assertEquals(new HostPort("db.internal", 3306), HostPort.parse("db.internal:3306", "127.0.0.1"));
        assertEquals(new HostPort("10.0.0.5", 3307), HostPort.parse("10.0.0.5:3307", "127.0.0.1"));
    }

    @Test
    void hostPortWithoutHostTakesTheDefault() {
        assertEquals(new HostPort("127.0.0.1", 3306), HostPort.parse(":3306", "127.0.0.1"));
    }

    @Test
    void hostPortIpv6() {
        HostPort bracketed = HostPort.parse("[::1]:3306", "127.0.0.1");
        assertEquals(new HostPort("::1", 3306), bracketed);
        assertEquals("[::1]:3306", bracketed.toString());
        assertEquals(new HostPort("fd00::5", 3306), HostPort.parse("[fd00::5]:3306", "127.0.0.1"));
    }

    @Test
    void hostPortErrorsSayWhatToWrite() {
        assertEquals("'db' has no port; write host:port, e.g. 127.0.0.1:3306",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("db", "x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostPort.parse("db:mysql", "x"))
                .getMessage().contains("no numeric port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostPort.parse("db:65536", "x"))
                .getMessage().contains("outside 0-65535"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("db:-1", "x"));
    }

    @Test
    void listenTcp() {
        assertEquals(new ListenAddress.Tcp("127.0.0.1", 6033), ListenAddress.parse("127.0.0.1:6033"));
        assertEquals(new ListenAddress.Tcp("0.0.0.0", 6033), ListenAddress.parse(":6033"));
        assertEquals(new ListenAddress.Tcp("127.0.0.1", 0), ListenAddress.parse("127.0.0.1:0"));
    }

    @Test
    void listenIpv6() {
        ListenAddress address = ListenAddress.parse("[::]:6033");
        assertEquals(new ListenAddress.Tcp("::", 6033), address);
        assertEquals("[::]:6033", address.toString());
    }

    @Test
    void listenUnix() {
        ListenAddress address = ListenAddress.parse("unix:/run/berth/berth.sock");
        assertEquals(new ListenAddress.Unix(Path.of("/run/berth/berth.sock")), address);
        assertEquals("unix:/run/berth/berth.sock", address.toString());
        assertTrue(ListenAddress.parse("unix:relative.sock") instanceof ListenAddress.Unix);
    }

    @Test
    void listenErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("unix:"))
                .getMessage().contains("names no socket path"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("localhost:70000"));
    }
}
