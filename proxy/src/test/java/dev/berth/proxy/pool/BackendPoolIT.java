package dev.berth.proxy.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BackendConfig;
import dev.berth.config.BackendTlsConfig;
import dev.berth.config.HostPort;
import dev.berth.config.PoolConfig;
import dev.berth.config.PoolMode;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.backend.BackendAttributes;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.backend.SessionRestart;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.SocketStates;
import dev.berth.proxy.it.support.TestDatabase;
import dev.berth.config.TransportKind;
import dev.berth.proxy.server.Transport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool's database/sql semantics, one test each, with real backend connections to the test server and a clock the
 * test moves by hand (real time only where the server has to see it). Each test fails when its behaviour is taken out
 * of {@link BackendPool}.
 */
class BackendPoolIT {
    private static final Transport NIO = Transport.of(TransportKind.NIO);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static NioEventLoopGroup group;
    private static EventLoop loop;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private volatile double jitter = 0.5;
    private final List<BackendPool> pools = new ArrayList<>();
    private final List<BackendConnection> borrowed = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startLoop() {
        TestDatabase.get();
        group = new NioEventLoopGroup(1);
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closePools() {
        pools.forEach(BackendPool::close);
        borrowed.forEach(BackendConnection::close);
    }

    // ---- the semantics ------------------------------------------------------------------------------------------

    @Test
    void reusesTheNewestIdleConnectionFirst() throws Exception {
        BackendPool pool = pool(config());
        BackendConnection older = take(pool);
        BackendConnection newer = take(pool);
        giveBack(pool, older);
        giveBack(pool, newer);
        assertEquals(2, pool.stats().idle());

        assertSame(newer, take(pool), "LIFO: the connection released last comes out first");
        assertSame(older, take(pool));
        assertEquals(2, pool.stats().connects());
    }

    @Test
    void aConnectionCarryingAClientsAttributesGetsBerthsBackOnRelease() throws Exception {
        BackendPool pool = pool(config().maxOpen(1));
        BackendConnection c = take(pool);
        Map<String, String> client = BackendAttributes.forClient(Map.of("program_name", "billing"), 9, "10.1.2.3");
        loop.submit(() -> SessionRestart.run(c, 45, client, loop.<Void>newPromise()))
                .get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        assertTrue(c.carriesClientAttributes());
        giveBack(pool, c);
        assertSame(c, take(pool), "restarted back, not closed");
        assertFalse(c.carriesClientAttributes(), "the next client would run under billing's attributes");
        assertWorks(c);
        assertEquals(Map.of(), pool.stats().closedByReason());
    }

    @Test
    void lifetimeIsShortenedByTheJitter() throws Exception {
        jitter = 1.0; // the most: 5% of 60 s, so this connection expires at 57 s
        BackendPool pool = pool(config().lifetime(Duration.ofSeconds(60)));
        long start = now.get();
        BackendConnection c = take(pool);
        giveBack(pool, c);

        now.set(start + 56 * SECOND);
        assertSame(c, take(pool), "56 s old: still within its 57 s");
        giveBack(pool, c);
        assertEquals(1, pool.stats().idle());

        now.set(start + 58 * SECOND);
        BackendConnection next = take(pool);
        assertNotEquals(c.serverConnectionId(), next.serverConnectionId(), "58 s old: past its 57 s");
        PoolStats stats = pool.stats();
        assertEquals(1, stats.maxLifetimeClosed());
        assertEquals(2, stats.connects());
        assertEquals(1, stats.openConnections());
        await("the expired connection closed", () -> !c.isActive());
    }

    @Test
    void withoutJitterTheFullLifetimeIsUsed() throws Exception {
        jitter = 0.0;
        BackendPool pool = pool(config().lifetime(Duration.ofSeconds(60)));
        long start = now.get();
        BackendConnection c = take(pool);
        giveBack(pool, c);

        now.set(start + 58 * SECOND);
        assertSame(c, take(pool), "no jitter: 58 s is within 60 s");
        giveBack(pool, c);

        now.set(start + 60 * SECOND);
        assertNotSame(c, take(pool));
        assertEquals(1, pool.stats().maxLifetimeClosed());
    }

    @Test
    void idleTimeClosesConnectionsLeftUnusedOnAcquireAndInUpkeep() throws Exception {
        BackendPool pool = pool(config().idleTime(Duration.ofSeconds(30)));
        BackendConnection c = take(pool);
        giveBack(pool, c);

        now.addAndGet(29 * SECOND);
        assertSame(c, take(pool), "idle 29 s of 30");
        giveBack(pool, c); // idle again from here

        now.addAndGet(31 * SECOND);
        BackendConnection fresh = take(pool);
        assertNotSame(c, fresh, "idle 31 s of 30");
        assertEquals(1, pool.stats().maxIdleTimeClosed());

        giveBack(pool, fresh);
        now.addAndGet(31 * SECOND);
        pool.maintain(loop);
        PoolStats stats = pool.stats();
        assertEquals(2, stats.maxIdleTimeClosed(), "the upkeep closes it without anyone asking");
        assertEquals(0, stats.openConnections());
        assertEquals(0, stats.idle());
    }

    @Test
    void releaseBeyondMaxIdleCloses() throws Exception {
        BackendPool pool = pool(config().maxOpen(3).maxIdle(1));
        BackendConnection a = take(pool);
        BackendConnection b = take(pool);
        BackendConnection c = take(pool);
        giveBack(pool, a);
        pool.release(b);
        pool.release(c);
        await("both surplus releases closed", () -> pool.stats().maxIdleClosed() == 2);
        PoolStats stats = pool.stats();
        assertEquals(1, stats.idle());
        assertEquals(1, stats.openConnections());
        assertEquals(0, stats.inUse());
        await("closed surplus connections gone", () -> !b.isActive() && !c.isActive());
        assertTrue(a.isActive());
    }

    @Test
    void upkeepWarmsThePoolToMinIdle() throws Exception {
        BackendPool pool = pool(config().maxOpen(4).maxIdle(4).minIdle(2));
        assertEquals(0, pool.stats().openConnections());
        pool.maintain(loop);
        pool.maintain(loop); // a second round while the first connects must not overshoot
        await("two idle connections", () -> pool.stats().idle() == 2);
        // Every connect the two rounds started has ended, so an overshooting third one would be counted below.
        await("no connect in flight", () -> connectsInFlight(pool.stats()) == 0);
        assertEquals(2, pool.stats().connects());
        assertEquals(2, pool.stats().openConnections());

        take(pool);
        assertEquals(1, pool.stats().idle());
        pool.maintain(loop);
        await("topped up to two idle", () -> pool.stats().idle() == 2);
        assertEquals(3, pool.stats().connects());
        assertEquals(3, pool.stats().openConnections());
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        BackendPool pool = pool(config().maxOpen(1));
        BackendConnection only = take(pool);
        List<String> served = Collections.synchronizedList(new ArrayList<>());
        Future<BackendConnection> first = pool.acquire(loop, new PoolKey(pool.serviceAccount(), false));
        first.addListener(f -> served.add("first"));
        Future<BackendConnection> second = pool.acquire(loop, new PoolKey(pool.serviceAccount(), false));
        second.addListener(f -> served.add("second"));
        assertEquals(2, pool.stats().waiting());

        pool.release(only);
        BackendConnection c = first.get(5, TimeUnit.SECONDS);
        borrowed.add(c);
        assertSame(only, c);
        drainLoop(); // the pool has done all it does on that release
        assertFalse(second.isDone(), "the later waiter still waits");
        assertEquals(1, pool.stats().waiting());
        pool.release(c);
        assertSame(only, second.get(5, TimeUnit.SECONDS));
        // get() can return before the event loop has run the promise's listeners.
        await("both listeners ran", () -> served.size() == 2);
        assertEquals(List.of("first", "second"), served);
        assertEquals(2, pool.stats().waitCount());
        assertEquals(1, pool.stats().connects());
    }

    @Test
    void theDeadlineErrorNamesThePoolItsLimitsAndWhatToRaise() throws Exception {
        // Long enough that both waiters are queued before the first deadline, even on a loaded machine.
        BackendPool pool = pool(config().maxOpen(1).acquireTimeout(Duration.ofSeconds(1)));
        take(pool);
        Future<BackendConnection> first = pool.acquire(loop, new PoolKey(pool.serviceAccount(), false));
        Future<BackendConnection> second = pool.acquire(loop, new PoolKey(pool.serviceAccount(), false));

        Throwable timeout = failure(first);
        assertInstanceOf(PoolTimeoutException.class, timeout);
        String message = timeout.getMessage();
        String address = "127.0.0.1:" + TestDatabase.get().port();
        assertTrue(message.contains("within 1s"), message);
        assertTrue(message.contains("pool " + TestDatabase.get().rootUser() + "@"), message);
        assertTrue(message.contains(pool.name()) && pool.name().endsWith(address), message);
        assertTrue(message.contains("1/1 in use"), message);
        assertTrue(message.contains("--max-open-conns") && message.contains("--acquire-timeout"), message);
        // Each message counts the waiters at its own deadline: the one expiring first saw 2, the other 1 (the two
        // timers are due within microseconds of each other, and the event loop may run them in either order).
        String other = failure(second).getMessage();
        assertTrue(other.contains("1/1 in use"), other);
        assertEquals(Set.of("2 waiting", "1 waiting"), Set.of(waitingCount(message), waitingCount(other)));
        assertEquals(0, pool.stats().waiting());
        assertEquals(2, pool.stats().waitCount());
    }

    @Test
    void aHealthyConnectionIdlePastThePingWindowIsPingedAndKept() throws Exception {
        BackendPool pool = pool(config().idlePingAfter(Duration.ofSeconds(5)));
        BackendConnection c = take(pool);
        giveBack(pool, c);
        now.addAndGet(6 * SECOND);
        assertSame(c, take(pool));
        assertEquals(1, pool.stats().connects());
        assertTrue(pool.stats().closedByReason().isEmpty(), pool.stats().closedByReason().toString());
    }

    @Test
    void aDeadIdleConnectionFailsItsPingAndTheAcquireIsRetriedUnseen() throws Exception {
        BackendPool pool = pool(config().idlePingAfter(Duration.ofSeconds(5)));
        BackendConnection dead = take(pool);
        giveBack(pool, dead);
        now.addAndGet(6 * SECOND);
        int localPort = ((InetSocketAddress) dead.channel().localAddress()).getPort();

        // Kill it on the server while the pool's event loop is busy, so the pool has not read the close yet when the
        // acquire runs: the connection still looks open, as one behind a silent network failure would.
        Future<BackendConnection> acquired = loop.submit(() -> {
            kill(dead.serverConnectionId());
            awaitClosedByPeer(localPort);
            assertTrue(dead.isActive(), "not noticed yet");
            return pool.acquire(loop, new PoolKey(pool.serviceAccount(), false));
        }).get(10, TimeUnit.SECONDS);
        BackendConnection c = acquired.get(5, TimeUnit.SECONDS);
        borrowed.add(c);

        assertNotEquals(dead.serverConnectionId(), c.serverConnectionId());
        assertWorks(c);
        PoolStats stats = pool.stats();
        assertEquals(1L, stats.closedByReason().get("ping-failed"), stats.closedByReason().toString());
        assertEquals(2, stats.connects());
        assertEquals(1, stats.openConnections());
    }

    @Test
    void upkeepPingsIdleConnectionsEveryKeepaliveInterval() throws Exception {
        BackendPool pool = pool(config().keepalive(Duration.ofSeconds(10)));
        BackendConnection c = take(pool);
        giveBack(pool, c);
        long id = c.serverConnectionId();
        AtomicLong writes = countWrites(c);
        await("the server saw it idle 1.2 s", () -> serverIdleMillis(id) >= 1_200);
        assertTrue(serverIdleMillis(id) >= 1_200, "the server has seen it idle");

        now.addAndGet(5 * SECOND);
        pool.maintain(loop);
        drainLoop(); // a ping sent by maintain() has been written now
        assertEquals(0, writes.get(), "5 s of 10: nothing written, not pinged yet");
        assertTrue(serverIdleMillis(id) >= 1_200, "5 s of 10: not pinged yet");

        now.addAndGet(6 * SECOND);
        pool.maintain(loop);
        await("the server saw a command (COM_PING)", () -> serverIdleMillis(id) < 500);
        assertSame(c, take(pool));
        assertEquals(1, pool.stats().connects());
    }

    @Test
    void aDownBackendFailsFastAndIsNotRetriedWithinTheBackOff() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BackendPool pool = pool(config(), connector(port));

        long started = System.nanoTime();
        Throwable first = failure(pool.acquire(loop, new PoolKey(pool.serviceAccount(), false)));
        assertInstanceOf(BackendException.class, first);
        assertTrue(first.getMessage().contains("127.0.0.1:" + port), first.getMessage());
        assertEquals(1, pool.stats().connectFailures());

        Throwable second = failure(pool.acquire(loop, new PoolKey(pool.serviceAccount(), false)));
        assertTrue(System.nanoTime() - started < 2 * SECOND, "both failed fast, not at the acquire deadline");
        assertInstanceOf(BackendException.class, second);
        // A sleep that is part of the test: the pool's retry timer runs on the event loop's real clock (100 ms after
        // the first failure), which the test's clock does not move, and "no second connect" means something only
        // once it has fired (a connect to a closed local port is refused within the remaining 100 ms).
        Thread.sleep(200);
        assertEquals(1, pool.stats().connectFailures(), "no second connect within the back-off");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(150)); // past the first back-off (100 ms)
        assertInstanceOf(BackendException.class, failure(pool.acquire(loop, new PoolKey(pool.serviceAccount(), false))));
        assertEquals(2, pool.stats().connectFailures(), "tried again after the back-off");
        assertEquals(0, pool.stats().connects());
        assertEquals(0, pool.stats().openConnections());
    }

    @Test
    void noMoreThanMaxConnectingConnectsAreInFlight() throws Exception {
        try (SlowRelay relay = new SlowRelay(TestDatabase.get().port(), 300)) {
            BackendPool pool = pool(config().maxOpen(6).maxConnecting(2).acquireTimeout(Duration.ofSeconds(4)),
                    connector(relay.port()));
            List<Future<BackendConnection>> acquires = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                acquires.add(pool.acquire(loop, new PoolKey(pool.serviceAccount(), false)));
            }
            for (Future<BackendConnection> f : acquires) {
                BackendConnection c = f.get(10, TimeUnit.SECONDS);
                borrowed.add(c);
                assertWorks(c);
            }
            assertEquals(6, relay.accepted.get());
            assertEquals(2, relay.maxHandshaking.get(), "connects in flight at once, as the server side saw them");
            assertEquals(6, pool.stats().connects());
        }
    }

    @Test
    void closingSendsComQuitSoTheServerClosesFirst() throws Exception {
        BackendPool pool = pool(config().maxOpen(2).maxIdle(0));
        BackendConnection c = take(pool);
        int localPort = ((InetSocketAddress) c.channel().localAddress()).getPort();
        long released = System.nanoTime();
        pool.release(c);
        await("closed", () -> !c.isActive());
        assertTrue(System.nanoTime() - released < TimeUnit.MILLISECONDS.toNanos(BackendPool.QUIT_GRACE_MILLIS),
                "the server closed on COM_QUIT, before Berth's grace ran out");
        // Berth's grace timer (QUIT_GRACE_MILLIS after the COM_QUIT, on the same event loop) has fired: had the server
        // not closed first, it would have closed and counted closedFirst by now.
        loop.schedule(() -> { }, BackendPool.QUIT_GRACE_MILLIS, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        PoolStats stats = pool.stats();
        assertEquals(1, stats.maxIdleClosed());
        assertEquals(0, stats.closedFirst());
        if (SocketStates.available()) {
            int serverPort = TestDatabase.get().port();
            assertEquals(0, SocketStates.timeWait("( sport = :" + localPort + " and dport = :" + serverPort + " )"),
                    "no TIME_WAIT on Berth's side");
            assertEquals(1, SocketStates.timeWait("( sport = :" + serverPort + " and dport = :" + localPort + " )"),
                    "the TIME_WAIT is the server's");
        }
    }

    @Test
    void statsCountEachKindOfClose() throws Exception {
        jitter = 0.0;
        BackendPool pool = pool(config().maxOpen(3).maxIdle(1).lifetime(Duration.ofSeconds(100))
                .idleTime(Duration.ofSeconds(30)));
        BackendConnection a = take(pool);
        BackendConnection b = take(pool);
        giveBack(pool, a);
        pool.release(b); // beyond max idle 1
        await("max-idle close", () -> pool.stats().maxIdleClosed() == 1);

        now.addAndGet(31 * SECOND); // a idle too long
        BackendConnection c = take(pool);
        assertEquals(1, pool.stats().maxIdleTimeClosed());

        now.addAndGet(70 * SECOND); // c is 70 s old
        giveBack(pool, c);
        now.addAndGet(20 * SECOND); // 90 s, idle 20 s
        assertSame(c, take(pool));
        now.addAndGet(11 * SECOND); // 101 s: released past its lifetime
        pool.release(c);
        await("max-lifetime close", () -> pool.stats().maxLifetimeClosed() == 1);

        PoolStats stats = pool.stats();
        assertEquals(1, stats.maxIdleClosed());
        assertEquals(1, stats.maxIdleTimeClosed());
        assertEquals(1, stats.maxLifetimeClosed());
        assertEquals(3, stats.closedByReason().values().stream().mapToLong(Long::longValue).sum(),
                stats.closedByReason().toString());
        assertEquals(0, stats.openConnections());
        assertEquals(3, stats.connects());
    }

    // ---- support ------------------------------------------------------------------------------------------------

    private Cfg config() {
        return new Cfg();
    }

    private BackendPool pool(Cfg cfg) {
        return pool(cfg, connector(TestDatabase.get().port()));
    }

    private BackendPool pool(Cfg cfg, BackendConnector connector) {
        BackendPool pool = new BackendPool(cfg.build(), connector, now::get, () -> jitter);
        pools.add(pool);
        return pool;
    }

    private static BackendConnector connector(int port) {
        TestDatabase db = TestDatabase.get();
        BackendConfig backend = new BackendConfig(new HostPort("127.0.0.1", port), db.rootUser(), db.rootPassword(),
                BackendTlsConfig.OFF, Duration.ofSeconds(5));
        return new BackendConnector(backend, null, NIO);
    }

    private BackendConnection take(BackendPool pool) throws Exception {
        BackendConnection c = pool.acquire(loop, new PoolKey(pool.serviceAccount(), false)).get(5, TimeUnit.SECONDS);
        borrowed.add(c);
        return c;
    }

    /** Releases and waits until the reset is done and the connection is idle again. */
    private static void giveBack(BackendPool pool, BackendConnection c) throws Exception {
        int idle = pool.stats().idle();
        pool.release(c);
        await("released connection idle", () -> pool.stats().idle() == idle + 1);
    }

    private static String waitingCount(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+ waiting").matcher(message);
        assertTrue(m.find(), message);
        return m.group();
    }

    private static Throwable failure(Future<?> f) throws Exception {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.getNow());
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        Eventually.await(Duration.ofSeconds(5), condition, () -> what);
    }

    /**
     * Returns once everything already queued on the pool's event loop has run. It is the only one: every connection
     * of these tests lives on it, so a pool reaction to what the test just did (a hand-over, a write) is done.
     */
    private static void drainLoop() throws Exception {
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    /** Connections being opened: open ones are idle, in use or still connecting. */
    private static int connectsInFlight(PoolStats stats) {
        return stats.openConnections() - stats.idle() - stats.inUse();
    }

    /** Counts the writes to {@code c} from now on, with an outbound handler next to its socket. */
    private static AtomicLong countWrites(BackendConnection c) throws Exception {
        AtomicLong writes = new AtomicLong();
        c.eventLoop().submit(() -> c.channel().pipeline().addFirst("test-write-counter",
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        writes.incrementAndGet();
                        ctx.write(msg, promise);
                    }
                })).get(5, TimeUnit.SECONDS);
        return writes;
    }

    /**
     * Waits until the server's close of the connection from {@code localPort} has reached this host (FIN or RST: the
     * socket is no longer established), whether or not Berth has read it. Without {@code ss} it relies on
     * {@link #kill}, which returns once the server thread, which closes its socket first, is gone.
     */
    private static void awaitClosedByPeer(int localPort) throws InterruptedException {
        if (!SocketStates.available()) {
            return;
        }
        String socket = "( sport = :" + localPort + " and dport = :" + TestDatabase.get().port() + " )";
        Eventually.await(Duration.ofSeconds(5), () -> SocketStates.count("established", socket) == 0,
                () -> "the server's close of " + socket + " did not arrive");
    }

    private static void assertNotSame(BackendConnection unexpected, BackendConnection actual) {
        assertNotSame(unexpected, actual, "a different connection");
    }

    private static void assertNotSame(BackendConnection unexpected, BackendConnection actual, String why) {
        assertNotEquals(unexpected.serverConnectionId(), actual.serverConnectionId(), why);
    }

    /** Runs COM_PING on {@code c} and expects OK. */
    private static void assertWorks(BackendConnection c) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        InternalCommand.send(c, InternalCommand.ping(c.channel().alloc()), (backend, error, lost) ->
                result.complete(error != null ? error.toString() : lost != null ? lost.toString() : "OK"), true);
        assertEquals("OK", result.get(5, TimeUnit.SECONDS));
    }

    private static void kill(long serverThread) throws SQLException, InterruptedException {
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement()) {
            s.execute("KILL CONNECTION " + serverThread);
            Eventually.await(Duration.ofSeconds(5), () -> {
                try (ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + serverThread)) {
                    rs.next();
                    return rs.getInt(1) == 0;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "server thread " + serverThread + " outlived KILL");
        }
    }

    /** How long the server has seen the connection without a command, in milliseconds. */
    private static long serverIdleMillis(long serverThread) {
        try (Connection root = TestDatabase.get().rootConnection(); Statement s = root.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT TIME_MS FROM information_schema.PROCESSLIST WHERE ID = " + serverThread)) {
            assertTrue(rs.next(), "server thread " + serverThread + " is gone");
            return (long) rs.getDouble(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** PoolConfig with every field nameable; defaults keep everything out of the way of the one under test. */
    private static final class Cfg {
        int maxOpen = 4;
        int maxIdle = -1;
        int minIdle = 0;
        Duration lifetime = Duration.ofHours(1);
        Duration idleTime = Duration.ofMinutes(10);
        Duration acquireTimeout = Duration.ofSeconds(5);
        Duration idlePingAfter = Duration.ofHours(1);
        Duration keepalive = Duration.ofHours(1);
        int maxConnecting = 4;

        Cfg maxOpen(int n) { maxOpen = n; return this; }
        Cfg maxIdle(int n) { maxIdle = n; return this; }
        Cfg minIdle(int n) { minIdle = n; return this; }
        Cfg lifetime(Duration d) { lifetime = d; return this; }
        Cfg idleTime(Duration d) { idleTime = d; return this; }
        Cfg acquireTimeout(Duration d) { acquireTimeout = d; return this; }
        Cfg idlePingAfter(Duration d) { idlePingAfter = d; return this; }
        Cfg keepalive(Duration d) { keepalive = d; return this; }
        Cfg maxConnecting(int n) { maxConnecting = n; return this; }

        PoolConfig build() {
            return new PoolConfig(PoolMode.SESSION, maxOpen, maxIdle < 0 ? maxOpen : maxIdle, minIdle, lifetime,
                    idleTime, acquireTimeout, idlePingAfter, keepalive, maxConnecting);
        }
    }

    /**
     * A TCP relay in front of the server that holds each new connection for a while before the server sees it, and
     * counts how many are held at once: connects in flight, as seen from the server's side of the wire.
     */
    private static final class SlowRelay implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger handshaking = new AtomicInteger();
        final AtomicInteger maxHandshaking = new AtomicInteger();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        SlowRelay(int serverPort, long delayMillis) throws IOException {
            server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        sockets.add(client);
                        accepted.incrementAndGet();
                        Thread t = new Thread(() -> relay(client, serverPort, delayMillis), "slow-relay");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "slow-relay-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void relay(Socket client, int serverPort, long delayMillis) {
            int inFlight = handshaking.incrementAndGet();
            maxHandshaking.accumulateAndGet(inFlight, Math::max);
            try {
                // The delay under test, not a wait: the connect stays in flight this long, as a slow server's would.
                Thread.sleep(delayMillis);
                handshaking.decrementAndGet();
                Socket upstream = new Socket("127.0.0.1", serverPort);
                sockets.add(upstream);
                Thread back = new Thread(() -> pipe(upstream, client), "slow-relay-back");
                back.setDaemon(true);
                back.start();
                pipe(client, upstream);
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }

        private static void pipe(Socket from, Socket to) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
