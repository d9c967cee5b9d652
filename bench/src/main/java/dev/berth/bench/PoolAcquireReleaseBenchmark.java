package dev.berth.bench;

import dev.berth.proxy.pool.PoolKey;
import dev.berth.config.BackendConfig;
import dev.berth.config.BackendTlsConfig;
import dev.berth.config.HostPort;
import dev.berth.config.PoolConfig;
import dev.berth.config.PoolMode;
import dev.berth.config.TransportKind;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.server.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Acquire + release on a warm {@link BackendPool} against a real server, with 1, 4 and 64 concurrent borrowers. The
 * pool has as many connections as there are borrowers (all open and idle before measuring), so a borrower that comes
 * back before its last connection is clean waits for it, as a client would.
 *
 * <ul>
 *   <li>{@code withReset*}: the release Berth does, COM_RESET_CONNECTION to the server before the connection is
 *       idle again. Bounded by the server's round trip: what a client pays per checkout.
 *   <li>{@code withoutReset*}: the connection goes straight back to the idle list (the pool's own give-back, reached
 *       by reflection), so this is the pool's bookkeeping alone: locks, idle list, promises, the hop to the event loop.
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar PoolAcquireRelease -wi 2 -i 3 -f 1 -r 2s -w 1s}; the server is
 * {@code -Dberth.bench.mysql=host:port} (or {@code BERTH_BENCH_MYSQL}, default 127.0.0.1:3306), account root with
 * no password unless {@code berth.bench.user}/{@code berth.bench.password} say otherwise.
 */
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolAcquireReleaseBenchmark {

    @State(Scope.Benchmark)
    public static class Pool {
        EventLoopGroup group;
        BackendPool pool;
        MethodHandle giveBack;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws Throwable {
            int borrowers = params.getThreads();
            Transport transport = Transport.of(TransportKind.AUTO);
            group = transport.newEventLoopGroup(2);
            HostPort server = HostPort.parse(setting("berth.bench.mysql", "BERTH_BENCH_MYSQL", "127.0.0.1:3306"),
                    "127.0.0.1");
            BackendConfig backend = new BackendConfig(server, setting("berth.bench.user", "BERTH_BENCH_USER", "root"),
                    setting("berth.bench.password", "BERTH_BENCH_PASSWORD", ""), BackendTlsConfig.OFF,
                    Duration.ofSeconds(5));
            PoolConfig config = new PoolConfig(PoolMode.SESSION, borrowers, borrowers, 0, Duration.ofHours(1),
                    Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(1), 8);
            pool = new BackendPool(config, new BackendConnector(backend, null, transport));
            giveBack = MethodHandles.privateLookupIn(BackendPool.class, MethodHandles.lookup())
                    .findVirtual(BackendPool.class, "giveBack", MethodType.methodType(void.class, BackendConnection.class));
            // Warm: every connection open and idle before the first measurement.
            List<BackendConnection> all = new ArrayList<>();
            for (int i = 0; i < borrowers; i++) {
                all.add(pool.acquire(group.next(), new PoolKey(pool.serviceAccount(), false)).get(10, TimeUnit.SECONDS));
            }
            all.forEach(pool::release);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.stats().idle() < borrowers) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("pool not warm: " + pool.stats());
                }
                Thread.sleep(5);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            System.out.println();
            System.out.println("pool: " + pool.stats());
            pool.close();
            Thread.sleep(1_200); // COM_QUIT and the server's close
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }

        private static String setting(String property, String env, String fallback) {
            String v = System.getProperty(property);
            if (v == null) {
                v = System.getenv(env);
            }
            return v == null ? fallback : v;
        }
    }

    /** Each borrower asks from one event loop, as a client connection would. */
    @State(Scope.Thread)
    public static class Borrower {
        EventLoop loop;

        @Setup(Level.Trial)
        public void setUp(Pool pool) {
            loop = pool.group.next();
        }
    }

    private static BackendConnection withReset(Pool p, Borrower b) throws Exception {
        BackendConnection c = p.pool.acquire(b.loop, new PoolKey(p.pool.serviceAccount(), false))
                .get(30, TimeUnit.SECONDS);
        p.pool.release(c);
        return c;
    }

    private static BackendConnection withoutReset(Pool p, Borrower b) throws Throwable {
        BackendConnection c = p.pool.acquire(b.loop, new PoolKey(p.pool.serviceAccount(), false))
                .get(30, TimeUnit.SECONDS);
        p.giveBack.invoke(p.pool, c);
        return c;
    }

    @Benchmark
    @Threads(1)
    public BackendConnection withReset01(Pool p, Borrower b) throws Exception {
        return withReset(p, b);
    }

    @Benchmark
    @Threads(4)
    public BackendConnection withReset04(Pool p, Borrower b) throws Exception {
        return withReset(p, b);
    }

    @Benchmark
    @Threads(64)
    public BackendConnection withReset64(Pool p, Borrower b) throws Exception {
        return withReset(p, b);
    }

    @Benchmark
    @Threads(1)
    public BackendConnection withoutReset01(Pool p, Borrower b) throws Throwable {
        return withoutReset(p, b);
    }

    @Benchmark
    @Threads(4)
    public BackendConnection withoutReset04(Pool p, Borrower b) throws Throwable {
        return withoutReset(p, b);
    }

    @Benchmark
    @Threads(64)
    public BackendConnection withoutReset64(Pool p, Borrower b) throws Throwable {
        return withoutReset(p, b);
    }
}
