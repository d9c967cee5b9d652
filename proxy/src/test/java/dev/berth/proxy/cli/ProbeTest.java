package dev.berth.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeTest {

    private HttpServer server;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/liveness", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/readiness", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anOkAnswerExitsZeroSilently() {
        assertEquals(0, probe(url("/liveness")));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aServiceUnavailableAnswerExitsOneWithTheStatus() {
        assertEquals(1, probe(url("/readiness")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("HTTP 503"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedConnectionExitsOne() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        assertEquals(1, probe("http://127.0.0.1:" + closedPort + "/liveness"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("ConnectException"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingOrBadUrlExitsOne() {
        assertEquals(1, probe());
        assertEquals(1, probe("not a url"));
    }

    private int probe(String... args) {
        return Probe.check(args, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }
}
