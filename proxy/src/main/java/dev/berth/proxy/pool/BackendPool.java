package dev.berth.proxy.pool;

import dev.berth.config.PoolConfig;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.backend.SessionRestart;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded set of backend connections, with the acquire / wait / release order of Go's {@code database/sql}: the
 * newest idle connection ({@link IdleStacks}), else a new one while under the bound ({@link ConnectGate} permitting),
 * else a FIFO wait until a release or the deadline ({@link WaiterQueue}). A released connection is reset, then handed
 * to the oldest waiter, else kept idle, else (beyond max idle) closed. The contract in full is in
 * docs/ARCHITECTURE.md, "The pool".
 *
 * <p>Connections past their lifetime (less per-connection jitter) or idle time are closed instead of reused; one idle
 * longer than a short window is pinged before a client gets it, and a failed ping means another try, invisible to
 * the client. The {@link Housekeeper} closes aged idle connections, keeps the rest alive and tops up min idle.
 * Closing sends COM_QUIT and lets the server close first, so the TIME_WAIT socket lands on the database host.
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
    /**
     * COM_RESET_CONNECTION keeps FOUND_ROWS() and LAST_INSERT_ID() (and ROW_COUNT()); this one statement brings them
     * to what a new connection shows: 0, 0 (and -1), so the next client sees nothing of the previous one's. New
     * connections get it too.
     */
    static final String SCRUB = "SELECT 1 FROM DUAL WHERE LAST_INSERT_ID(0)";
    /** The id of the session's collation, which is what Berth keeps as a connection's character set. */
    static final String CHARACTER_SET_AFTER_RESET =
            "SELECT ID FROM information_schema.COLLATIONS WHERE COLLATION_NAME = @@collation_connection";

    /** Replaced whole by {@link #reconfigure}; read under the lock or once per decision. */
    private volatile PoolConfig config;
    private final BackendConnector connector;
    private final LongSupplier clock;
    private final DoubleSupplier random;
    private final String name;
    private final BackendAccount serviceAccount;
    private final IdleStacks idle = new IdleStacks();
    private final Set<BackendConnection> inUse = new HashSet<>();
    private final WaiterQueue waiters = new WaiterQueue();
    private final ConnectGate gate;
    private final PoolMetrics metrics = new PoolMetrics();
    private final Housekeeper housekeeper = new Housekeeper(this);
    /** Connections open or being opened: what max open bounds. Changed only by {@link #reserve} and {@link #free}. */
    private int open;
    /** Connections being reset on their way back, by key. */
    private final Map<PoolKey, Integer> resetting = new HashMap<>();
    /** Connections open or being opened, by server account (for --max-open-conns-per-account). */
    private final Map<BackendAccount, Integer> openByAccount = new HashMap<>();
    /** The key of the last acquire: what the housekeeper warms up min idle connections for. */
    private PoolKey lastKey;
    private volatile BackendInfo info;
    private boolean closed;
    /** PAUSE: acquires are held here, unqueued and without a deadline, until {@link #resume}. */
    private boolean paused;
    private final List<Runnable> held = new ArrayList<>();

    public BackendPool(PoolConfig config, BackendConnector connector) {
        this(config, connector, System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With a controllable clock (nanoseconds) and jitter source (0 to 1), for tests. */
    BackendPool(PoolConfig config, BackendConnector connector, LongSupplier clock, DoubleSupplier random) {
        this.config = config;
        this.connector = connector;
        this.clock = clock;
        this.random = random;
        this.gate = new ConnectGate(config.maxConnecting());
        String serviceUser = connector.config().user();
        this.serviceAccount = serviceUser == null ? null
                : BackendAccount.withPassword(serviceUser, connector.config().password());
        this.name = (serviceUser == null ? "" : serviceUser + "@") + connector.config().address();
    }

    /**
     * The one account every backend connection logs in as (--backend-user), or null when each client's connections
     * log in as the client's own account.
     */
    public BackendAccount serviceAccount() {
        return serviceAccount;
    }

    /**
     * What the backend says of itself, learnt once: from a pooled connection of the service account (which stays for
     * the first client), or, without one, from a greeting read by a connection that does not log in.
     */
    public Future<BackendInfo> info(EventLoop loop) {
        BackendInfo known = info;
        if (known != null) {
            return loop.newSucceededFuture(known);
        }
        Promise<BackendInfo> learnt = loop.newPromise();
        if (serviceAccount == null) {
            connector.probe(loop).addListener((Future<BackendInfo> f) -> {
                if (f.isSuccess()) {
                    info = f.getNow();
                    learnt.trySuccess(f.getNow());
                } else {
                    learnt.tryFailure(f.cause());
                }
            });
        } else {
            acquire(loop, new PoolKey(serviceAccount, false)).addListener((Future<BackendConnection> f) -> {
                if (f.isSuccess()) {
                    release(f.getNow());
                    learnt.trySuccess(f.getNow().info());
                } else {
                    learnt.tryFailure(f.cause());
                }
            });
        }
        return learnt;
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

    /** What a first connection would have taught: for tests that greet clients without a backend. */
    void info(BackendInfo info) {
        this.info = info;
    }

    /** Starts the once-a-second upkeep on {@code loop}. */
    public void startHousekeeping(EventLoop loop) {
        housekeeper.start(loop);
    }

    // ---- acquire ----------------------------------------------------------------------------------------------

    /**
     * Takes a connection for one client. The future fails with {@link PoolTimeoutException} at the deadline, or with
     * a {@link BackendException} when a connection is needed and the backend can't be reached.
     */
    public Future<BackendConnection> acquire(EventLoop loop, PoolKey key) {
        Promise<BackendConnection> promise = loop.newPromise();
        attempt(promise, loop, key, clock.getAsLong(), true);
        return promise;
    }

    /**
     * Like {@link #acquire}, for Berth's own short errands: an idle connection or a new one while there is room, else
     * a {@link PoolTimeoutException} at once, never a place among the waiters.
     */
    Future<BackendConnection> tryAcquire(EventLoop loop, PoolKey key) {
        Promise<BackendConnection> promise = loop.newPromise();
        attempt(promise, loop, key, clock.getAsLong(), false);
        return promise;
    }

    private void attempt(Promise<BackendConnection> promise, EventLoop loop, PoolKey key, long start,
                         boolean mayWait) {
        List<BackendConnection> aged = new ArrayList<>();
        BackendConnection ready = null;
        BackendConnection surplus = null;
        boolean connect = false;
        boolean ping = false;
        boolean busy = false;
        BackendException fastFailure = null;
        synchronized (this) {
            if (closed) {
                promise.tryFailure(new IllegalStateException("berth is shutting down"));
                return;
            }
            if (paused && mayWait) {
                held.add(() -> attempt(promise, loop, key, start, true));
                return;
            }
            lastKey = key;
            long now = clock.getAsLong();
            BackendConnection c;
            while (ready == null && (c = idle.take(key, loop)) != null) {
                CloseReason stale = staleness(c, now);
                if (stale != null) {
                    free(c.account(), stale);
                    aged.add(c);
                } else {
                    ready = c;
                    inUse.add(c);
                    ping = now - c.idleSinceNanos() > config.idlePingAfter().toNanos();
                }
            }
            if (ready == null) {
                if (!mayWait && (open >= config.maxOpenConns() || !gate.mayConnect(now))) {
                    busy = true;
                } else if (resetting.getOrDefault(key, 0) > waiters.count(key)) {
                    // A connection is one round trip from idle: under churn, waiting for it beats a new login.
                    enqueue(promise, loop, key, start);
                } else if (!underAccountCap(key)) {
                    enqueue(promise, loop, key, start); // its account's own connections must come back first
                } else if (open < config.maxOpenConns() && gate.mayConnect(now)) {
                    reserve(key);
                    connect = true;
                } else if (open >= config.maxOpenConns() && gate.mayConnect(now)
                        && (surplus = idle.takeOldestOther(key)) != null) {
                    // Full, but an idle connection of another account or CLIENT_FOUND_ROWS kind can make room.
                    makeRoom(surplus, key);
                    connect = true;
                } else if (gate.backingOff(now) && inUse.isEmpty() && open < config.maxOpenConns()) {
                    // Nothing will come back to wait for: say why now rather than at the deadline.
                    fastFailure = gate.lastFailure();
                } else {
                    enqueue(promise, loop, key, start);
                }
            }
        }
        aged.forEach(this::quit);
        if (surplus != null) {
            quit(surplus);
        }
        if (ready != null) {
            if (ping) {
                pingThenDeliver(promise, loop, key, start, ready, mayWait);
            } else {
                deliver(promise, ready, start);
            }
        } else if (connect) {
            open(loop, key, promise, start);
        } else if (fastFailure != null) {
            promise.tryFailure(fastFailure);
        } else if (busy) {
            promise.tryFailure(new PoolTimeoutException("pool " + name + " has no idle connection and no room"));
        }
    }

    /** Takes a slot under max open for a connection about to be opened for {@code key}. Call holding the lock. */
    private void reserve(PoolKey key) {
        open++;
        openByAccount.merge(key.account(), 1, Integer::sum);
        gate.started();
    }

    /** Gives back the slot of a connection of {@code account} that is closed or was never opened. Hold the lock. */
    private void free(BackendAccount account, CloseReason reason) {
        open--;
        openByAccount.merge(account, -1, (a, b) -> a + b == 0 ? null : a + b);
        if (reason != null) {
            metrics.closed(reason);
        }
    }

    /** An idle connection of another key is closed so one for {@code key} can open in its slot. Hold the lock. */
    private void makeRoom(BackendConnection surplus, PoolKey key) {
        free(surplus.account(), CloseReason.MADE_ROOM);
        reserve(key);
    }

    /** Whether {@code key}'s account may open one more connection (--max-open-conns-per-account). Hold the lock. */
    private boolean underAccountCap(PoolKey key) {
        int cap = config.maxOpenPerAccount();
        return cap == 0 || openByAccount.getOrDefault(key.account(), 0) < cap;
    }

    /** Queues an acquire until a release or its deadline. Call holding the lock. */
    private void enqueue(Promise<BackendConnection> promise, EventLoop loop, PoolKey key, long start) {
        metrics.waitStarted();
        WaiterQueue.Waiter waiter = new WaiterQueue.Waiter(promise, loop, key, start);
        waiters.add(waiter);
        waiter.timeout = loop.schedule(() -> expire(waiter), config.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Why {@code c} must not be reused any more, or null. */
    private CloseReason staleness(BackendConnection c, long now) {
        if (now - c.expiresAtNanos() >= 0) {
            return CloseReason.MAX_LIFETIME;
        }
        if (now - c.idleSinceNanos() >= config.connMaxIdleTime().toNanos()) {
            return CloseReason.MAX_IDLE_TIME;
        }
        return null;
    }

    /** Checks a connection that sat idle a while; a dead one is closed and the acquire tried again. */
    private void pingThenDeliver(Promise<BackendConnection> promise, EventLoop loop, PoolKey key, long start,
                                 BackendConnection c, boolean mayWait) {
        InternalCommand.send(c, InternalCommand.ping(c.channel().alloc()), (backend, error, lost) -> {
            if (error == null && lost == null) {
                deliver(promise, backend, start);
            } else {
                discard(backend, CloseReason.PING_FAILED);
                attempt(promise, loop, key, start, mayWait);
            }
        }, true);
    }

    /** Opens a connection for the idle stacks (the housekeeper's warm-up); its slot was reserved by {@link #plan}. */
    void openIdle(EventLoop loop, PoolKey key) {
        open(loop, key, null, clock.getAsLong());
    }

    /**
     * Opens a connection for {@code promise}, or for the idle stacks when it is null. A connect failure goes to the
     * promise and starts (or lengthens) the back-off.
     */
    private void open(EventLoop loop, PoolKey key, Promise<BackendConnection> promise, long start) {
        connector.connect(loop, key.account(), key.foundRows()).addListener((Future<BackendConnection> f) -> {
            if (f.isSuccess()) {
                BackendConnection c = f.getNow();
                info = c.info();
                c.setLossListener(this::onLost);
                // A server thread reused from its thread cache can show the FOUND_ROWS() of an earlier connection
                // (MariaDB 10.11: 1 on a new connection); scrubbed ahead of the first client command, not waited for.
                InternalCommand.send(c, InternalCommand.query(c.channel().alloc(), SCRUB), (b, error, lost) -> { },
                        false);
                metrics.connected();
                synchronized (this) {
                    gate.succeeded();
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
                    serveWaiters();
                } else {
                    giveBack(c);
                }
            } else {
                BackendException failure = (BackendException) f.cause();
                boolean clientRefused = failure.accessDenied() && !key.account().equals(serviceAccount);
                long retryIn;
                metrics.connectFailed();
                synchronized (this) {
                    // A client's refused password is about its account, not the backend: nobody else backs off for it.
                    // (The service account's is everyone's problem, and backs off like any other failure.)
                    retryIn = clientRefused ? gate.refusedLogin() : gate.failed(clock.getAsLong(), failure);
                    free(key.account(), null);
                }
                if (clientRefused) {
                    if (promise != null) {
                        promise.tryFailure(failure);
                    }
                    serveWaiters();
                    return;
                }
                log.warn("{}; next attempt in {} ms", failure.getMessage(), TimeUnit.NANOSECONDS.toMillis(retryIn));
                if (promise != null) {
                    promise.tryFailure(failure);
                }
                // Waiters get their turn when the back-off ends, not in a retry storm now.
                loop.schedule(this::serveWaiters, retryIn, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Hands {@code c} over; if the promise was already given up (deadline, client gone), takes it back unused. */
    private void deliver(Promise<BackendConnection> promise, BackendConnection c, long start) {
        metrics.acquired(clock.getAsLong() - start);
        if (!promise.trySuccess(c)) {
            giveBack(c);
        }
    }

    // ---- release ----------------------------------------------------------------------------------------------

    /**
     * Returns a connection its client is done with. It is reset (COM_RESET_CONNECTION: rolls back, drops temporary
     * tables, user variables and prepared statements) and scrubbed of what the reset keeps ({@link #SCRUB}) before
     * anyone else gets it; if either fails it is closed.
     */
    public void release(BackendConnection c) {
        if (!c.isActive()) {
            discard(c, CloseReason.CLOSED_BY_SERVER);
            return;
        }
        synchronized (this) {
            resetting.merge(key(c), 1, Integer::sum);
        }
        boolean[] resetFailed = new boolean[1];
        if (c.carriesClientAttributes()) {
            // Its session was restarted under a client's attributes: restarted again under Berth's own (which resets
            // it as COM_RESET_CONNECTION does), so the next client does not run under this one's name.
            c.eventLoop().execute(() -> SessionRestart.toLogin(c, c.eventLoop().newPromise())
                    .addListener(restarted -> {
                        resetFailed[0] = !restarted.isSuccess();
                        scrubThenGiveBack(c, resetFailed);
                    }));
            return;
        }
        InternalCommand.send(c, InternalCommand.resetConnection(c.channel().alloc()),
                (backend, error, lost) -> resetFailed[0] = error != null, false);
        if (!c.knowsCharacterSetAfterReset()) {
            learnCharacterSetAfterReset(c);
        }
        scrubThenGiveBack(c, resetFailed);
    }

    /**
     * Asks, once per connection and right behind its first reset, which character set a reset leaves (servers differ:
     * the login's, or the server's default), so that a client whose character set it is needs no SET NAMES on
     * checkout. Answered before the scrub that completes the release.
     */
    private static void learnCharacterSetAfterReset(BackendConnection c) {
        InternalCommand.queryRow(c, CHARACTER_SET_AFTER_RESET, (backend, row, error, lost) -> {
            if (row != null && row.size() == 1 && row.get(0) != null) {
                try {
                    backend.characterSetAfterReset(Integer.parseInt(row.get(0)));
                } catch (NumberFormatException notAnId) {
                    log.debug("{}: unexpected collation id {}", backend, row.get(0));
                }
            }
        });
    }

    private void scrubThenGiveBack(BackendConnection c, boolean[] resetFailed) {
        InternalCommand.send(c, InternalCommand.query(c.channel().alloc(), SCRUB), (backend, error, lost) -> {
            synchronized (this) {
                resetting.merge(key(backend), -1, Integer::sum);
            }
            if (resetFailed[0] || error != null || lost != null) {
                discard(backend, CloseReason.RESET_FAILED);
            } else {
                // The reset brings session variables back to the server's defaults, the character set among them.
                backend.sessionReset();
                giveBack(backend);
            }
        }, true);
    }

    /**
     * Returns a connection whose session nothing changed since it was taken (Berth's own COM_PING on it), without the
     * reset of {@link #release}.
     */
    public void giveBackClean(BackendConnection c) {
        if (c.isActive()) {
            giveBack(c);
        } else {
            discard(c, CloseReason.CLOSED_BY_SERVER);
        }
    }

    /**
     * Stops the statement running on {@code target} (KILL QUERY) from another connection: an idle one, a new one
     * while there is room, else one outside the pool, closed after. Completes when the server answered, or failed.
     */
    public Future<Void> killQuery(BackendConnection target) {
        return QueryKiller.kill(this, target);
    }

    BackendConnector connector() {
        return connector;
    }

    /** Closes a connection that can't be trusted any more (why is counted). */
    public void discard(BackendConnection c, CloseReason reason) {
        boolean counted;
        synchronized (this) {
            counted = inUse.remove(c) || idle.remove(c);
            if (counted) {
                free(c.account(), reason);
            }
        }
        quit(c);
        if (counted) {
            serveWaiters();
        }
    }

    /** A clean connection comes back: to the oldest waiter of its kind, else idle, else (beyond max idle) closed. */
    private void giveBack(BackendConnection c) {
        WaiterQueue.Waiter waiter = null;
        CloseReason closeReason = null;
        synchronized (this) {
            if (!inUse.remove(c)) {
                return; // lost meanwhile and already counted
            }
            long now = clock.getAsLong();
            if (closed) {
                closeReason = CloseReason.SHUTDOWN;
            } else if (now - c.expiresAtNanos() >= 0) {
                closeReason = CloseReason.MAX_LIFETIME;
            } else if ((waiter = waiters.next(key(c))) != null) {
                inUse.add(c);
                metrics.waited(now - waiter.since);
            } else if (idle.size() >= config.maxIdleConns()) {
                closeReason = CloseReason.MAX_IDLE;
            } else {
                c.idleSinceNanos(now);
                idle.push(c);
            }
            if (closeReason != null) {
                free(c.account(), closeReason);
            }
        }
        if (waiter != null) {
            waiter.timeout.cancel(false);
            deliver(waiter.promise, c, waiter.since);
        } else {
            if (closeReason != null) {
                quit(c);
            }
            serveWaiters();
        }
    }

    /**
     * Opens a connection for the oldest waiter whose account is under its cap, when there is room (or an idle one of
     * another key to replace).
     */
    private boolean serveWaiters() {
        WaiterQueue.Waiter waiter;
        BackendConnection surplus = null;
        synchronized (this) {
            waiter = waiters.first(w -> underAccountCap(w.key));
            if (waiter == null || closed || !gate.mayConnect(clock.getAsLong())) {
                return false;
            }
            if (open < config.maxOpenConns()) {
                reserve(waiter.key);
            } else if ((surplus = idle.takeOldestOther(waiter.key)) != null) {
                makeRoom(surplus, waiter.key);
            } else {
                return false;
            }
            waiters.remove(waiter);
            metrics.waited(clock.getAsLong() - waiter.since);
        }
        waiter.timeout.cancel(false);
        if (surplus != null) {
            quit(surplus);
        }
        open(waiter.loop, waiter.key, waiter.promise, waiter.since);
        return true;
    }

    private void expire(WaiterQueue.Waiter waiter) {
        int busy;
        int waiting;
        boolean capped;
        synchronized (this) {
            if (!waiters.remove(waiter)) {
                return;
            }
            metrics.waited(clock.getAsLong() - waiter.since);
            busy = inUse.size();
            waiting = waiters.size() + 1;
            capped = !underAccountCap(waiter.key);
        }
        String raise = capped
                ? String.format("account %s has its %d (--max-open-conns-per-account); raise it or --acquire-timeout",
                        waiter.key.account(), config.maxOpenPerAccount())
                : "raise --max-open-conns or --acquire-timeout";
        waiter.promise.tryFailure(new PoolTimeoutException(String.format(
                "berth: no backend connection within %s (pool %s: %d/%d in use, %d waiting); %s",
                human(config.acquireTimeout()), name, busy, config.maxOpenConns(), waiting, raise)));
    }

    // ---- upkeep -----------------------------------------------------------------------------------------------

    /** Runs one round of the housekeeper's upkeep now (it also runs by itself once started). */
    public void maintain(EventLoop loop) {
        housekeeper.run(loop);
    }

    /**
     * Decides one upkeep round: takes out the aged idle connections (counted), marks those due a keepalive ping, and
     * reserves the slots of the connections that will top min idle up. Null once the pool is closed.
     */
    synchronized Housekeeper.Round plan() {
        if (closed) {
            return null;
        }
        long now = clock.getAsLong();
        List<BackendConnection> aged = idle.removeIf(c -> staleness(c, now) != null);
        for (BackendConnection c : aged) {
            free(c.account(), staleness(c, now));
        }
        List<BackendConnection> toPing = new ArrayList<>();
        idle.forEach(c -> {
            if (now - c.lastPingNanos() >= config.keepaliveInterval().toNanos()) {
                c.lastPingNanos(now);
                toPing.add(c);
            }
        });
        int warm = Math.min(config.minIdleConns() - idle.size() - gate.connecting(), config.maxOpenConns() - open);
        warm = Math.min(warm, gate.room(now));
        // For the last client's key; before any client, for the service account (without one, nobody yet).
        PoolKey warmFor = lastKey != null ? lastKey : serviceAccount != null ? new PoolKey(serviceAccount, false) : null;
        if (warmFor == null) {
            warm = 0;
        }
        for (int i = 0; i < warm && underAccountCap(warmFor); i++) {
            reserve(warmFor);
        }
        return new Housekeeper.Round(aged, toPing, Math.max(warm, 0), warmFor);
    }

    private void onLost(BackendConnection c, Throwable cause) {
        boolean wasIdle;
        synchronized (this) {
            wasIdle = idle.remove(c);
            if (wasIdle) {
                free(c.account(), CloseReason.CLOSED_BY_SERVER);
            }
        }
        if (wasIdle) {
            log.debug("idle {} lost: {}", c, cause.toString());
            serveWaiters();
        }
    }

    /**
     * Closes politely: COM_QUIT, then the server closes its end and keeps the TIME_WAIT socket. Only when it hasn't
     * within a second does Berth close first (counted).
     */
    void quit(BackendConnection c) {
        if (!c.isActive()) {
            return;
        }
        c.send(InternalCommand.quit(c.channel().alloc()), -1, null, true);
        c.eventLoop().schedule(() -> {
            if (c.isActive()) {
                metrics.closedFirst();
                c.close();
            }
        }, QUIT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A client pinned its connection for {@code reason} (+1), or no longer (-1): counted in the statistics. */
    public void pinned(PinReason reason, int delta) {
        metrics.pinned(reason, delta);
    }

    /**
     * PAUSE: clients that already hold a connection go on (a running transaction can finish); every other acquire is
     * held, without its deadline, until {@link #resume}.
     */
    public synchronized void pause() {
        paused = true;
    }

    /** RESUME: the held acquires are tried again, oldest first. */
    public void resume() {
        List<Runnable> retry;
        synchronized (this) {
            paused = false;
            retry = List.copyOf(held);
            held.clear();
        }
        retry.forEach(Runnable::run);
    }

    public synchronized boolean paused() {
        return paused;
    }

    /** Acquires held by {@link #pause}. */
    public synchronized int held() {
        return held.size();
    }

    /**
     * New limits and timeouts, from the admin console's SET: a higher max open serves waiters at once; connections
     * above a lower one close as they come back (max idle) or age out. The connect gate keeps its max connecting.
     */
    public void reconfigure(PoolConfig newConfig) {
        synchronized (this) {
            config = newConfig;
        }
        while (serveWaiters()) {
            // one more waiter got a slot
        }
    }

    /** False while the last connect failed and new ones back off: a client now would not get a connection. */
    public synchronized boolean backendReachable() {
        return !gate.backingOff(clock.getAsLong());
    }

    /** The open connections, idle and in use, by thread id. */
    public List<ConnectionInfo> connections() {
        long now = clock.getAsLong();
        List<ConnectionInfo> all = new ArrayList<>();
        synchronized (this) {
            idle.forEach(c -> all.add(info(c, "idle", now - c.idleSinceNanos(), now)));
            inUse.forEach(c -> all.add(info(c, "in use", 0, now)));
        }
        all.sort(Comparator.comparingLong(ConnectionInfo::threadId));
        return all;
    }

    private static ConnectionInfo info(BackendConnection c, String state, long idleNanos, long now) {
        return new ConnectionInfo(c.serverConnectionId(), c.account().user(), state,
                TimeUnit.NANOSECONDS.toSeconds(now - c.openedAtNanos()), TimeUnit.NANOSECONDS.toSeconds(idleNanos),
                c.commandsSent());
    }

    public synchronized PoolStats stats() {
        return metrics.snapshot(config.maxOpenConns(), open, inUse.size(), idle.size(), waiters.size());
    }

    /** Closes idle connections and refuses new acquires; connections in use close as they come back. */
    public void close() {
        List<BackendConnection> toClose;
        synchronized (this) {
            closed = true;
            toClose = idle.removeIf(c -> true);
            toClose.forEach(c -> free(c.account(), CloseReason.SHUTDOWN));
        }
        toClose.forEach(this::quit);
    }

    private static PoolKey key(BackendConnection c) {
        return new PoolKey(c.account(), c.foundRows());
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
