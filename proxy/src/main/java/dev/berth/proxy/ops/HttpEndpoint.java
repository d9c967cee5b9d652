package dev.berth.proxy.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.config.HostPort;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * {@code --http-listen}: {@code /metrics} in the Prometheus text format or OpenMetrics (as the scraper asks), and the
 * probes an orchestrator polls, {@code /startup}, {@code /readiness} and {@code /liveness}: 200 with "ok", or 503
 * with what is wrong. Served by the JDK's HTTP server on one thread of its own, so a stuck event loop cannot keep
 * the liveness probe from answering that it is stuck.
 */
public final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService thread;

    private HttpEndpoint(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    public static HttpEndpoint start(HostPort address, PrometheusRegistry registry, Probes probes)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 64);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/startup", exchange -> probe(exchange, probes::started, "not started"));
        server.createContext("/readiness", exchange -> probe(exchange, probes::ready,
                "not ready: paused, draining, or the backend cannot be reached"));
        server.createContext("/liveness", exchange -> probe(exchange, probes::live, "event loops not answering"));
        server.createContext("/", exchange -> answer(exchange, 404,
                "not found; try /metrics, /startup, /readiness or /liveness\n"));
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "berth-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.start();
        return new HttpEndpoint(server, thread);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void probe(HttpExchange exchange, BooleanSupplier check, String failure) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
            answer(exchange, 404, "not found\n");
        } else if (check.getAsBoolean()) {
            answer(exchange, 200, "ok\n");
        } else {
            answer(exchange, 503, failure + "\n");
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
