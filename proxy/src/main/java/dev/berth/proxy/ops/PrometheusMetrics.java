package dev.berth.proxy.ops;

import dev.berth.proxy.frontend.ClientMetrics;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.LatencyHistogram;
import dev.berth.proxy.pool.PoolStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Berth's figures in a Prometheus registry, read when scraped: the pool's as Go's {@code sql.DBStats} names them
 * ({@code berth_pool_*}), the backend's connects and closes, the clients', and the JVM's. Labels carry the pool
 * (backend account and address). The README's "Operating Berth" section says what each means.
 */
public final class PrometheusMetrics {
    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final BackendPool pool;
    private final ClientMetrics clients;
    private final String poolLabel;

    /** @param eventLoopAllocation heap bytes the event loops allocated so far, or null where the JVM does not count */
    public PrometheusMetrics(BackendPool pool, ClientMetrics clients, LongSupplier eventLoopAllocation) {
        this.pool = pool;
        this.clients = clients;
        this.poolLabel = pool.name();
        registerPool();
        registerClients();
        if (eventLoopAllocation != null) {
            CounterWithCallback.builder().name("berth_event_loop_allocated_bytes")
                    .help("Heap bytes allocated by the event loops' threads (pooled buffers not counted).")
                    .callback(callback -> callback.call(eventLoopAllocation.getAsLong())).register(registry);
        }
        JvmMetrics.builder().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private void registerPool() {
        poolGauge("berth_pool_max_open_connections", "Most backend connections the pool may hold open (max open).",
                PoolStats::maxOpenConnections);
        poolGauge("berth_pool_open_connections", "Backend connections open or being opened.",
                PoolStats::openConnections);
        poolGauge("berth_pool_in_use_connections", "Backend connections serving a client.", PoolStats::inUse);
        poolGauge("berth_pool_idle_connections", "Backend connections idle in the pool.", PoolStats::idle);
        poolGauge("berth_pool_waiting_clients", "Clients waiting for a backend connection now.", PoolStats::waiting);
        poolCounter("berth_pool_wait_count", "Acquires that had to wait for a connection.", PoolStats::waitCount);
        poolCounter("berth_pool_wait_duration_seconds", "Time acquires waited, in total.",
                stats -> stats.waitDuration().toNanos() / NANOS_PER_SECOND);
        poolCounter("berth_pool_max_idle_closed", "Connections closed on release because max idle were idle.",
                PoolStats::maxIdleClosed);
        poolCounter("berth_pool_max_idle_time_closed", "Connections closed after idling longer than max idle time.",
                PoolStats::maxIdleTimeClosed);
        poolCounter("berth_pool_max_lifetime_closed", "Connections closed at the end of their lifetime.",
                PoolStats::maxLifetimeClosed);
        poolCounter("berth_backend_connects", "Backend connections opened.", PoolStats::connects);
        poolCounter("berth_backend_connect_failures", "Backend connections that could not be opened.",
                PoolStats::connectFailures);
        CounterWithCallback.builder().name("berth_backend_closes").help("Backend connections closed, by reason.")
                .labelNames("pool", "reason")
                .callback(callback -> pool.stats().closedByReason()
                        .forEach((reason, count) -> callback.call(count, poolLabel, reason)))
                .register(registry);
        GaugeWithCallback.builder().name("berth_pool_pinned_clients")
                .help("Clients in transaction pool mode keeping their connection between statements, by reason.")
                .labelNames("pool", "reason")
                .callback(callback -> pool.stats().pinnedByReason()
                        .forEach((reason, count) -> callback.call(count, poolLabel, reason)))
                .register(registry);
        GaugeWithCallback.builder().name("berth_pool_paused").help("1 while the pool holds new work (PAUSE).")
                .labelNames("pool")
                .callback(callback -> callback.call(pool.paused() ? 1 : 0, poolLabel))
                .register(registry);
        registry.register(this::acquireHistogram);
    }

    private void registerClients() {
        GaugeWithCallback.builder().name("berth_client_connections").help("Client connections open now.")
                .callback(callback -> callback.call(clients.openConnections())).register(registry);
        clientCounter("berth_client_connects", "Client connections accepted.", ClientMetrics::connects);
        clientCounter("berth_client_auth_failures", "Client logins denied.", ClientMetrics::loginFailures);
        clientCounter("berth_queries", "Statements clients sent (COM_QUERY and COM_STMT_EXECUTE).",
                ClientMetrics::queries);
        clientCounter("berth_client_received_bytes", "Bytes read from client sockets.", ClientMetrics::bytesReceived);
        clientCounter("berth_client_sent_bytes", "Bytes written to client sockets.", ClientMetrics::bytesSent);
        CounterWithCallback.builder().name("berth_errors")
                .help("ERR packets sent to clients (the server's and Berth's own), by error code.")
                .labelNames("code")
                .callback(callback -> clients.errorsByCode()
                        .forEach((code, count) -> callback.call(count, String.valueOf(code))))
                .register(registry);
    }

    private HistogramSnapshot acquireHistogram() {
        LatencyHistogram histogram = pool.stats().acquireLatency();
        long[] bounds = histogram.upperBoundsMicros();
        double[] upperBoundsSeconds = new double[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            upperBoundsSeconds[i] = bounds[i] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : bounds[i] / 1e6;
        }
        return HistogramSnapshot.builder().name("berth_pool_acquire_duration_seconds")
                .help("Time to get a backend connection for a client, waits and connects included.")
                .dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBoundsSeconds, histogram.counts()))
                        .sum(histogram.sumNanos() / NANOS_PER_SECOND)
                        .labels(Labels.of("pool", poolLabel))
                        .build())
                .build();
    }

    private void poolGauge(String name, String help, ToDoubleFunction<PoolStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("pool")
                .callback(callback -> callback.call(value.applyAsDouble(pool.stats()), poolLabel))
                .register(registry);
    }

    private void poolCounter(String name, String help, ToDoubleFunction<PoolStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("pool")
                .callback(callback -> callback.call(value.applyAsDouble(pool.stats()), poolLabel))
                .register(registry);
    }

    private void clientCounter(String name, String help, Function<ClientMetrics, Long> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.apply(clients)))
                .register(registry);
    }
}
