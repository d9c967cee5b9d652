package dev.berth.proxy.frontend;

import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.CloseReason;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend connection whose client left while its statement ran or its result streamed, between packets. The server
 * would run the statement to its end for nobody (it notices a closed socket only when it next reads or writes), so it
 * is killed from another connection ({@link BackendPool#killQuery}): it ends with ERR 1317, which is read and dropped
 * with the rest of the response. A COM_PING queued behind the client's commands tells when the connection is between
 * commands again; once that answer and the KILL's are in (so the KILL cannot hit a later statement), the connection is
 * released, reset and pooled like any other. One that is not back within {@link #DRAIN_MILLIS} is closed.
 *
 * <p>Touched only on the backend connection's event loop.
 */
final class AbandonedCommand {
    private static final Logger log = LoggerFactory.getLogger(AbandonedCommand.class);
    /** How long a killed statement has to end before its connection is closed instead. */
    static final long DRAIN_MILLIS = 5_000;

    private final BackendPool pool;
    private final BackendConnection backend;
    private ScheduledFuture<?> deadline;
    private boolean drained;
    private boolean killed;
    private boolean settled;

    private AbandonedCommand(BackendPool pool, BackendConnection backend) {
        this.pool = pool;
        this.backend = backend;
    }

    /** Takes over {@code b}, whose responses still go to the departed client's sink; call on its event loop. */
    static void recover(BackendPool pool, BackendConnection b) {
        new AbandonedCommand(pool, b).start();
    }

    private void start() {
        log.debug("{}: its client left mid-command; killing the statement", backend);
        deadline = backend.eventLoop().schedule(() -> settle(false, "not between commands within " + DRAIN_MILLIS
                + " ms"), DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        InternalCommand.send(backend, InternalCommand.ping(backend.channel().alloc()), (c, error, lost) -> {
            if (error == null && lost == null) {
                drained = true;
                releaseWhenDone();
            } else {
                settle(false, "COM_PING failed: " + (error != null ? error : lost));
            }
        }, true);
        // The future completes on this connection's loop (it is made there).
        pool.killQuery(backend).addListener(f -> {
            killed = true;
            releaseWhenDone();
        });
    }

    private void releaseWhenDone() {
        if (drained && killed) {
            settle(true, null);
        }
    }

    private void settle(boolean clean, String why) {
        if (settled) {
            return;
        }
        settled = true;
        deadline.cancel(false);
        if (clean) {
            pool.release(backend);
        } else {
            log.debug("{}: {}; closing it", backend, why);
            pool.discard(backend, CloseReason.CLIENT_LEFT_MID_COMMAND);
        }
    }
}
