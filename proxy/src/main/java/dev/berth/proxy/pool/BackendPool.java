package dev.berth.proxy.pool;

import dev.berth.config.PoolConfig;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded set of backend connections, with the acquire / wait / release order of Go's {@code database/sql}:
 * the newest idle connection (LIFO, so surplus ones age out; among the idle, one on the client's own event loop
 * first), else a new one while under the bound, else a FIFO wait
 * until a release or the deadline. A released connection is reset, then handed to the oldest waiter, else kept idle,
 * else (beyond max idle) closed.
 *
 * <p>Connections past their lifetime (less per-connection jitter) or idle time are closed instead of reused; one idle
 * longer than a short window is pinged before a client gets it, and a failed ping means another try, invisible to
 * the client. {@link #maintain()} runs periodically: it closes aged idle connections, pings the rest to stay under
 * the server's wait_timeout, and tops the warm pool up to min idle.
 *
 * <p>Closing sends COM_QUIT and lets the server close first, so the TIME_WAIT socket lands on the database host.
 * When the backend is down, failed connects back off exponentially and at most {@code maxConnecting} are in flight,
 * so recovery brings no connect storm.
 *
 * <p>CLIENT_FOUND_ROWS cannot change after login, so a connection serves only clients that agree with it on that
 * flag; the bound covers both kinds together. State is guarded by this object's monitor; promises are completed
 * and connections written to outside it.
 */
public final class BackendPool {
    private static final Logger log = LoggerFactory.getLogger(BackendPool.class);
    /** How long the server gets to close its end after COM_QUIT before Berth closes first. */
    static final long QUIT_GRACE_MILLIS = 1_000;
    /** The most a connection's lifetime is shortened by, so connections opened together don't expire together. */
    static final double LIFETIME_JITTER = 0.05;
    private static final long BACKOFF_START_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final PoolConfig config;
    private final BackendConnector connector;
    private final LongSupplier clock;
    private final DoubleSupplier random;
    private final String name;
    private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
    private final Set<BackendConnection> inUse = new HashSet<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Map<String, Long> closedByReason = new TreeMap<>();
    private final long[] latencyCounts = new long[LatencyHistogram.BOUNDS_MICROS.length];
    private int open;
    private int connecting;
    /** Connections being reset on their way back, by CLIENT_FOUND_ROWS kind (index 1: with it). */
    private final int[] resetting = new int[2];
    private long waitCount;
    private long waitNanos;
    private long connects;
    private long connectFailures;
    private long closedFirst;
    private long backoffUntil;
    private long backoffNanos;
    private BackendException lastConnectFailure;
    private boolean lastFoundRows;
    private volatile BackendInfo info;
    private boolean closed;

    public BackendPool(PoolConfig config, BackendConnector connector) {
        this(config, connector, System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With a controllable clock (nanoseconds) and jitter source (0 to 1), for tests. */
    BackendPool(PoolConfig config, BackendConnector connector, LongSupplier clock, DoubleSupplier random) {
        this.config = config;
        this.connector = connector;
        this.clock = clock;
        this.random = random;
        this.name = connector.config().user() + "@" + connector.config().address();
    }

    public String name() {
        return name;
    }

    public PoolConfig config() {
        return config;
    }

    /** What the backend said of itself in the last greeting, or null before any connection was made. */
    public BackendInfo info() {
        return info;
    }

    // ---- acquire ----------------------------------------------------------------------------------------------

    /**
     * Takes a connection for one client. The future fails with {@link PoolTimeoutException} at the deadline, or with
     * a {@link BackendException} when a connection is needed and the backend can't be reached.
     */
    public Future<BackendConnection> acquire(EventLoop loop, boolean foundRows) {
        Promise<BackendConnection> promise = loop.newPromise();
        attempt(promise, loop, foundRows, clock.getAsLong());
        return promise;
    }

    private void attempt(Promise<BackendConnection> promise, EventLoop loop, boolean foundRows, long start) {
        List<BackendConnection> aged = new ArrayList<>();
        BackendConnection ready = null;
        BackendConnection surplus = null;
        boolean connect = false;
        boolean ping = false;
        BackendException fastFailure = null;
        synchronized (this) {
            if (closed) {
                promise.tryFailure(new IllegalStateException("berth is shutting down"));
                return;
            }
            lastFoundRows = foundRows;
            long now = clock.getAsLong();
            BackendConnection c;
            while (ready == null && (c = takeIdle(foundRows, loop)) != null) {
                String stale = staleness(c, now);
                if (stale != null) {
                    open--;
                    countClose(stale);
                    aged.add(c);
                } else {
                    ready = c;
                    inUse.add(c);
                    ping = now - c.idleSinceNanos() > config.idlePingAfter().toNanos();
                }
            }
            if (ready == null) {
                if (resetting[kind(foundRows)] > waiting(foundRows)) {
                    // A connection is one round trip from idle: under churn, waiting for it beats a new login.
                    enqueue(promise, loop, foundRows, start);
                } else if (open < config.maxOpenConns() && mayConnect(now)) {
                    open++;
                    connecting++;
                    connect = true;
                } else if (open >= config.maxOpenConns() && mayConnect(now)
                        && (surplus = takeIdle(!foundRows, null)) != null) {
                    // Full, but an idle connection of the other CLIENT_FOUND_ROWS kind can make room.
                    countClose("found-rows-mismatch");
                    connecting++;
                    connect = true;
                } else if (now < backoffUntil && inUse.isEmpty() && open < config.maxOpenConns()) {
                    // Nothing will come back to wait for: say why now rather than at the deadline.
                    fastFailure = lastConnectFailure;
                } else {
                    enqueue(promise, loop, foundRows, start);
                }
            }
        }
        aged.forEach(this::quit);
        if (surplus != null) {
            quit(surplus);
        }
        if (ready != null) {
            if (ping) {
                pingThenDeliver(promise, loop, foundRows, start, ready);
            } else {
                deliver(promise, ready, start);
            }
        } else if (connect) {
            open(loop, foundRows, promise, start);
        } else if (fastFailure != null) {
            promise.tryFailure(fastFailure);
        }
    }

    /** Queues an acquire until a release or its deadline. Call holding the lock. */
    private void enqueue(Promise<BackendConnection> promise, EventLoop loop, boolean foundRows, long start) {
        waitCount++;
        Waiter waiter = new Waiter(promise, loop, foundRows, start);
        waiters.add(waiter);
        waiter.timeout = loop.schedule(() -> expire(waiter), config.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private int waiting(boolean foundRows) {
        int count = 0;
        for (Waiter w : waiters) {
            if (w.foundRows == foundRows) {
                count++;
            }
        }
        return count;
    }

    private static int kind(boolean foundRows) {
        return foundRows ? 1 : 0;
    }

    private boolean mayConnect(long now) {
        return connecting < config.maxConnecting() && now >= backoffUntil;
    }

    /** Why {@code c} must not be reused any more, or null. */
    private String staleness(BackendConnection c, long now) {
        if (now - c.expiresAtNanos() >= 0) {
            return PoolStats.MAX_LIFETIME;
        }
        if (now - c.idleSinceNanos() >= config.connMaxIdleTime().toNanos()) {
            return PoolStats.MAX_IDLE_TIME;
        }
        return null;
    }

    /**
     * The newest idle connection of the wanted kind, preferring one on {@code loop} (null: any): a client and its
     * backend on one event loop hand packets to each other without crossing threads.
     */
    private BackendConnection takeIdle(boolean foundRows, EventLoop loop) {
        BackendConnection newest = null;
        for (BackendConnection c : idle) {
            if (c.foundRows() == foundRows) {
                if (loop == null || c.eventLoop() == loop) {
                    newest = c;
                    break;
                }
                if (newest == null) {
                    newest = c;
                }
            }
        }
        if (newest != null) {
            idle.remove(newest);
        }
        return newest;
    }

    /** Checks a connection that sat idle a while; a dead one is closed and the acquire tried again. */
    private void pingThenDeliver(Promise<BackendConnection> promise, EventLoop loop, boolean foundRows, long start,
                                 BackendConnection c) {
        InternalCommand.send(c, InternalCommand.ping(c.channel().alloc()), (backend, error, lost) -> {
            if (error == null && lost == null) {
                deliver(promise, backend, start);
            } else {
                discard(backend, "ping-failed");
                attempt(promise, loop, foundRows, start);
            }
        }, true);
    }

    /**
     * Opens a connection for {@code promise}, or for the idle list when it is null (warm-up). A connect failure goes to
     * the promise and starts (or lengthens) the back-off.
     */
    private void open(EventLoop loop, boolean foundRows, Promise<BackendConnection> promise, long start) {
        connector.connect(loop, foundRows).addListener((Future<BackendConnection> f) -> {
            if (f.isSuccess()) {
                BackendConnection c = f.getNow();
                info = c.info();
                c.setLossListener(this::onLost);
                synchronized (this) {
                    connecting--;
                    connects++;
                    backoffNanos = 0;
                    backoffUntil = 0;
                    long now = clock.getAsLong();
                    long lifetime = config.connMaxLifetime().toNanos();
                    c.expiresAtNanos(now + lifetime - (long) (lifetime * LIFETIME_JITTER * random.getAsDouble()));
                    c.idleSinceNanos(now);
                    c.lastPingNanos(now);
                    inUse.add(c);
                }
                if (promise != null) {
                    deliver(promise, c, start);
                    // A connect slot is free again: waiters queued behind --max-connecting get their turn now,
                    // not only when some connection is released.
                    serveWaiters(loop);
                } else {
                    giveBack(c);
                }
            } else {
                BackendException failure = (BackendException) f.cause();
                long retryIn;
                synchronized (this) {
                    connecting--;
                    open--;
                    connectFailures++;
                    backoffNanos = backoffNanos == 0 ? BACKOFF_START_NANOS
                            : Math.min(BACKOFF_MAX_NANOS, backoffNanos * 2);
                    backoffUntil = clock.getAsLong() + backoffNanos;
                    lastConnectFailure = failure;
                    retryIn = backoffNanos;
                }
                log.warn("{}; next attempt in {} ms", failure.getMessage(), TimeUnit.NANOSECONDS.toMillis(retryIn));
                if (promise != null) {
                    promise.tryFailure(failure);
                }
                // Waiters get their turn when the back-off ends, not in a retry storm now.
                loop.schedule(() -> serveWaiters(loop), retryIn, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Hands {@code c} over; if the promise was already given up (deadline, client gone), takes it back unused. */
    private void deliver(Promise<BackendConnection> promise, BackendConnection c, long start) {
        synchronized (this) {
            latencyCounts[LatencyHistogram.bucket(clock.getAsLong() - start)]++;
        }
        if (!promise.trySuccess(c)) {
            giveBack(c);
        }
    }

    // ---- release ----------------------------------------------------------------------------------------------

    /**
     * Returns a connection its client is done with. It is reset (COM_RESET_CONNECTION: rolls back, drops temporary
     * tables, user variables and prepared statements) before anyone else gets it; if that fails it is closed.
     */
    public void release(BackendConnection c) {
        if (!c.isActive()) {
            discard(c, "closed-by-server");
            return;
        }
        synchronized (this) {
            resetting[kind(c.foundRows())]++;
        }
        InternalCommand.send(c, InternalCommand.resetConnection(c.channel().alloc()), (backend, error, lost) -> {
            synchronized (this) {
                resetting[kind(backend.foundRows())]--;
            }
            if (error != null || lost != null) {
                discard(backend, "reset-failed");
            } else {
                // The reset brings session variables back to the server's defaults, the character set among them.
                backend.characterSet(-1);
                giveBack(backend);
            }
        }, true);
    }

    /** Closes a connection that can't be trusted any more (why is counted). */
    public void discard(BackendConnection c, String reason) {
        boolean counted;
        synchronized (this) {
            counted = inUse.remove(c) || idle.remove(c);
            if (counted) {
                open--;
                countClose(reason);
            }
        }
        quit(c);
        if (counted) {
            serveWaiters(c.eventLoop());
        }
    }

    /** A clean connection comes back: to the oldest waiter of its kind, else idle, else (beyond max idle) closed. */
    private void giveBack(BackendConnection c) {
        Waiter waiter = null;
        String closeReason = null;
        synchronized (this) {
            if (!inUse.remove(c)) {
                return; // lost meanwhile and already counted
            }
            long now = clock.getAsLong();
            if (closed) {
                closeReason = "shutdown";
            } else if (now - c.expiresAtNanos() >= 0) {
                closeReason = PoolStats.MAX_LIFETIME;
            } else if ((waiter = nextWaiter(c.foundRows())) != null) {
                inUse.add(c);
                waitNanos += now - waiter.since;
            } else if (idle.size() >= config.maxIdleConns()) {
                closeReason = PoolStats.MAX_IDLE;
            } else {
                c.idleSinceNanos(now);
                idle.push(c);
            }
            if (closeReason != null) {
                open--;
                countClose(closeReason);
            }
        }
        if (waiter != null) {
            waiter.timeout.cancel(false);
            deliver(waiter.promise, c, waiter.since);
        } else {
            if (closeReason != null) {
                quit(c);
            }
            serveWaiters(c.eventLoop());
        }
    }

    /** Opens a connection for the oldest waiter when there is room (or an idle one of the other kind to replace). */
    private void serveWaiters(EventLoop loop) {
        Waiter waiter;
        BackendConnection surplus = null;
        synchronized (this) {
            waiter = waiters.peek();
            if (waiter == null || closed || !mayConnect(clock.getAsLong())) {
                return;
            }
            if (open < config.maxOpenConns()) {
                open++;
            } else if ((surplus = takeIdle(!waiter.foundRows, null)) != null) {
                countClose("found-rows-mismatch");
            } else {
                return;
            }
            connecting++;
            waiters.poll();
            waitNanos += clock.getAsLong() - waiter.since;
        }
        waiter.timeout.cancel(false);
        if (surplus != null) {
            quit(surplus);
        }
        open(waiter.loop, waiter.foundRows, waiter.promise, waiter.since);
    }

    private Waiter nextWaiter(boolean foundRows) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.foundRows == foundRows) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    private void expire(Waiter waiter) {
        int busy;
        int waiting;
        synchronized (this) {
            if (!waiters.remove(waiter)) {
                return;
            }
            waitNanos += clock.getAsLong() - waiter.since;
            busy = inUse.size();
            waiting = waiters.size() + 1;
        }
        waiter.promise.tryFailure(new PoolTimeoutException(String.format(
                "berth: no backend connection within %s (pool %s: %d/%d in use, %d waiting); "
                        + "raise --max-open-conns or --acquire-timeout",
                human(config.acquireTimeout()), name, busy, config.maxOpenConns(), waiting)));
    }

    // ---- upkeep -----------------------------------------------------------------------------------------------

    /**
     * The periodic upkeep: closes idle connections past their lifetime or idle time, pings those not pinged for the
     * keepalive interval, and opens connections until min idle are idle.
     */
    public void maintain(EventLoop loop) {
        List<BackendConnection> aged = new ArrayList<>();
        List<BackendConnection> toPing = new ArrayList<>();
        int warm;
        boolean foundRows;
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = clock.getAsLong();
            for (Iterator<BackendConnection> it = idle.iterator(); it.hasNext(); ) {
                BackendConnection c = it.next();
                String stale = staleness(c, now);
                if (stale != null) {
                    it.remove();
                    open--;
                    countClose(stale);
                    aged.add(c);
                } else if (now - c.lastPingNanos() >= config.keepaliveInterval().toNanos()) {
                    c.lastPingNanos(now);
                    toPing.add(c);
                }
            }
            warm = Math.min(config.minIdleConns() - idle.size() - connecting, config.maxOpenConns() - open);
            warm = Math.min(warm, config.maxConnecting() - connecting);
            if (now < backoffUntil) {
                warm = 0;
            }
            for (int i = 0; i < warm; i++) {
                open++;
                connecting++;
            }
            foundRows = lastFoundRows;
        }
        aged.forEach(this::quit);
        for (BackendConnection c : toPing) {
            // Safe while idle: a client that takes it meanwhile queues its commands behind the ping.
            InternalCommand.send(c, InternalCommand.ping(c.channel().alloc()), (backend, error, lost) -> {
                if (error != null) {
                    discard(backend, "ping-failed");
                }
            }, true);
        }
        for (int i = 0; i < warm; i++) {
            open(loop, foundRows, null, clock.getAsLong());
        }
    }

    private void onLost(BackendConnection c, Throwable cause) {
        boolean wasIdle;
        synchronized (this) {
            wasIdle = idle.remove(c);
            if (wasIdle) {
                open--;
                countClose("closed-by-server");
            }
        }
        if (wasIdle) {
            log.debug("idle {} lost: {}", c, cause.toString());
            serveWaiters(c.eventLoop());
        }
    }

    /**
     * Closes politely: COM_QUIT, then the server closes its end and keeps the TIME_WAIT socket. Only when it hasn't
     * within a second does Berth close first (counted).
     */
    private void quit(BackendConnection c) {
        if (!c.isActive()) {
            return;
        }
        c.send(InternalCommand.quit(c.channel().alloc()), -1, null, true);
        c.eventLoop().schedule(() -> {
            if (c.isActive()) {
                synchronized (this) {
                    closedFirst++;
                }
                c.close();
            }
        }, QUIT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void countClose(String reason) {
        closedByReason.merge(reason, 1L, Long::sum);
    }

    public synchronized PoolStats stats() {
        return new PoolStats(config.maxOpenConns(), open, inUse.size(), idle.size(), waiters.size(), waitCount,
                Duration.ofNanos(waitNanos), connects, connectFailures, Map.copyOf(closedByReason), closedFirst,
                LatencyHistogram.snapshot(latencyCounts));
    }

    /** Closes idle connections and refuses new acquires; connections in use close as they come back. */
    public void close() {
        BackendConnection[] toClose;
        synchronized (this) {
            closed = true;
            toClose = idle.toArray(new BackendConnection[0]);
            idle.clear();
            open -= toClose.length;
            if (toClose.length > 0) {
                closedByReason.merge("shutdown", (long) toClose.length, Long::sum);
            }
        }
        for (BackendConnection c : toClose) {
            quit(c);
        }
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static final class Waiter {
        final Promise<BackendConnection> promise;
        final EventLoop loop;
        final boolean foundRows;
        final long since;
        ScheduledFuture<?> timeout;

        Waiter(Promise<BackendConnection> promise, EventLoop loop, boolean foundRows, long since) {
            this.promise = promise;
            this.loop = loop;
            this.foundRows = foundRows;
            this.since = since;
        }
    }
}
