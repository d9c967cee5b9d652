package dev.berth.proxy.pool;

import dev.berth.config.PoolConfig;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded set of backend connections, with the acquire / wait / release order of Go's {@code database/sql}:
 * an idle connection (newest first), else a new one while under the bound, else a FIFO wait until a release or the
 * deadline. A released connection is reset, then handed to the oldest waiter, else kept idle.
 *
 * <p>CLIENT_FOUND_ROWS cannot change after login, so a connection serves only clients that agree with it on that
 * flag; the bound covers both kinds together.
 *
 * <p>State is guarded by this object's monitor; promises are completed outside it.
 */
public final class BackendPool {
    private static final Logger log = LoggerFactory.getLogger(BackendPool.class);

    private final PoolConfig config;
    private final BackendConnector connector;
    private final String name;
    private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
    private final Set<BackendConnection> inUse = new HashSet<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Map<String, Long> closedByReason = new TreeMap<>();
    private int open;
    private long waitCount;
    private long waitNanos;
    private long connects;
    private long connectFailures;
    private volatile BackendInfo info;
    private boolean closed;

    public BackendPool(PoolConfig config, BackendConnector connector) {
        this.config = config;
        this.connector = connector;
        this.name = connector.config().user() + "@" + connector.config().address();
    }

    public String name() {
        return name;
    }

    /** What the backend said of itself in the last greeting, or null before any connection was made. */
    public BackendInfo info() {
        return info;
    }

    /**
     * Takes a connection for one client. The future fails with {@link PoolTimeoutException} at the deadline, or with
     * the connect failure when this acquire opened a connection that could not be made.
     */
    public Future<BackendConnection> acquire(EventLoop loop, boolean foundRows) {
        Promise<BackendConnection> promise = loop.newPromise();
        BackendConnection ready = null;
        boolean connect = false;
        BackendConnection surplus = null;
        synchronized (this) {
            if (closed) {
                promise.setFailure(new IllegalStateException("berth is shutting down"));
                return promise;
            }
            ready = takeIdle(foundRows);
            if (ready != null) {
                inUse.add(ready);
            } else if (open < config.maxOpenConns()) {
                open++;
                connect = true;
            } else if ((surplus = idle.pollLast()) != null) {
                // Full, but an idle connection of the other CLIENT_FOUND_ROWS kind can make room.
                connect = true;
                countClose("found-rows-mismatch");
            } else {
                waitCount++;
                Waiter waiter = new Waiter(promise, foundRows, System.nanoTime());
                waiters.add(waiter);
                waiter.timeout = loop.schedule(() -> expire(waiter), config.acquireTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
        }
        if (surplus != null) {
            quit(surplus);
        }
        if (ready != null) {
            deliver(promise, ready);
        } else if (connect) {
            open(loop, foundRows, promise);
        }
        return promise;
    }

    private BackendConnection takeIdle(boolean foundRows) {
        for (Iterator<BackendConnection> it = idle.iterator(); it.hasNext(); ) {
            BackendConnection c = it.next();
            if (c.foundRows() == foundRows) {
                it.remove();
                return c;
            }
        }
        return null;
    }

    private void open(EventLoop loop, boolean foundRows, Promise<BackendConnection> promise) {
        connector.connect(loop, foundRows).addListener((Future<BackendConnection> f) -> {
            if (f.isSuccess()) {
                BackendConnection c = f.getNow();
                info = c.info();
                c.setLossListener(this::onLost);
                synchronized (this) {
                    connects++;
                    inUse.add(c);
                }
                deliver(promise, c);
            } else {
                synchronized (this) {
                    connectFailures++;
                    open--;
                }
                log.warn("{}", f.cause().getMessage());
                promise.tryFailure(f.cause());
                serveWaiters(loop);
            }
        });
    }

    /** Hands {@code c} over; if the promise was already given up (deadline, client gone), takes it back. */
    private void deliver(Promise<BackendConnection> promise, BackendConnection c) {
        if (!promise.trySuccess(c)) {
            giveBack(c);
        }
    }

    /**
     * Returns a connection its client is done with. It is reset (COM_RESET_CONNECTION: rolls back, drops temporary
     * tables, user variables and prepared statements) before anyone else gets it; if that fails it is closed.
     */
    public void release(BackendConnection c) {
        if (!c.isActive()) {
            discard(c, "closed-by-server");
            return;
        }
        InternalCommand.send(c, InternalCommand.resetConnection(c.channel().alloc()), (backend, error, lost) -> {
            if (error != null || lost != null) {
                discard(backend, "reset-failed");
            } else {
                backend.multiStatements(-1);
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
        c.close();
        if (counted) {
            serveWaiters(c.eventLoop());
        }
    }

    private void giveBack(BackendConnection c) {
        Waiter waiter;
        synchronized (this) {
            if (!inUse.remove(c)) {
                return; // lost meanwhile and already counted
            }
            waiter = nextWaiter(c.foundRows());
            if (waiter != null) {
                inUse.add(c);
            } else if (!closed) {
                idle.push(c);
            }
        }
        if (waiter != null) {
            waiter.timeout.cancel(false);
            recordWait(waiter);
            deliver(waiter.promise, c);
        } else if (closed) {
            discard(c, "shutdown");
        } else {
            serveWaiters(c.eventLoop());
        }
    }

    /** A waiter wanting the other CLIENT_FOUND_ROWS kind while every slot is busy: make room for it. */
    private void serveWaiters(EventLoop loop) {
        Waiter waiter;
        BackendConnection surplus = null;
        synchronized (this) {
            waiter = waiters.peek();
            if (waiter == null) {
                return;
            }
            if (open < config.maxOpenConns()) {
                open++;
            } else if ((surplus = takeIdle(!waiter.foundRows)) != null) {
                countClose("found-rows-mismatch");
            } else {
                return;
            }
            waiters.poll();
        }
        waiter.timeout.cancel(false);
        recordWait(waiter);
        if (surplus != null) {
            quit(surplus);
        }
        open(loop, waiter.foundRows, waiter.promise);
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
            recordWait(waiter);
            busy = inUse.size();
            waiting = waiters.size() + 1;
        }
        waiter.promise.tryFailure(new PoolTimeoutException(String.format(
                "berth: no backend connection within %s (pool %s: %d/%d in use, %d waiting); "
                        + "raise --max-open-conns or --acquire-timeout",
                human(config.acquireTimeout()), name, busy, config.maxOpenConns(), waiting)));
    }

    private synchronized void recordWait(Waiter waiter) {
        waitNanos += System.nanoTime() - waiter.since;
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

    /** Closes politely: COM_QUIT first, so the server closes its end and keeps the TIME_WAIT socket. */
    private void quit(BackendConnection c) {
        if (c.isActive()) {
            c.channel().writeAndFlush(InternalCommand.quit(c.channel().alloc()));
        }
        c.channel().eventLoop().schedule(() -> c.close(), 2, TimeUnit.SECONDS);
    }

    private void countClose(String reason) {
        closedByReason.merge(reason, 1L, Long::sum);
    }

    public synchronized PoolStats stats() {
        return new PoolStats(config.maxOpenConns(), open, inUse.size(), idle.size(), waiters.size(), waitCount,
                Duration.ofNanos(waitNanos), connects, connectFailures, Map.copyOf(closedByReason));
    }

    /** Closes idle connections and refuses new acquires; connections in use close as they come back. */
    public void close() {
        BackendConnection[] toClose;
        synchronized (this) {
            closed = true;
            toClose = idle.toArray(new BackendConnection[0]);
            idle.clear();
            open -= toClose.length;
            closedByReason.merge("shutdown", (long) toClose.length, Long::sum);
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
        final boolean foundRows;
        final long since;
        ScheduledFuture<?> timeout;

        Waiter(Promise<BackendConnection> promise, boolean foundRows, long since) {
            this.promise = promise;
            this.foundRows = foundRows;
            this.since = since;
        }
    }
}
