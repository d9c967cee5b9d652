package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KILL QUERY for a statement whose client is gone, sent from another backend connection: the server would otherwise
 * run it to its end (it notices a closed socket only when it next reads or writes), holding its locks and a thread.
 *
 * <p>The other connection is one the pool can give at once ({@link BackendPool#tryAcquire}), released with the usual
 * reset after; when the pool is full it is a short-lived connection outside it, closed after. Nothing waits among the
 * clients' acquires, and a failure only means the statement runs on.
 */
final class QueryKiller {
    private static final Logger log = LoggerFactory.getLogger(QueryKiller.class);

    private QueryKiller() {
    }

    static Future<Void> kill(BackendPool pool, BackendConnection target) {
        EventLoop loop = target.eventLoop();
        Promise<Void> done = loop.newPromise();
        pool.tryAcquire(loop, new PoolKey(target.account(), target.foundRows())).addListener((Future<BackendConnection> pooled) -> {
            if (pooled.isSuccess()) {
                send(pooled.getNow(), target, done, pool::release);
            } else {
                pool.connector().connect(loop, target.account(), target.foundRows()).addListener((Future<BackendConnection> extra) -> {
                    if (extra.isSuccess()) {
                        send(extra.getNow(), target, done, pool::quit);
                    } else {
                        log.debug("no connection to kill the statement of {}: {}", target, extra.cause().toString());
                        done.tryFailure(extra.cause());
                    }
                });
            }
        });
        return done;
    }

    private static void send(BackendConnection killer, BackendConnection target, Promise<Void> done,
                             Consumer<BackendConnection> after) {
        String sql = "KILL QUERY " + target.serverConnectionId();
        InternalCommand.send(killer, InternalCommand.query(killer.channel().alloc(), sql), (c, error, lost) -> {
            after.accept(c);
            if (lost != null) {
                done.tryFailure(lost);
            } else {
                // ERR 1094 (no such thread) means the target is gone already: nothing runs either way.
                log.debug("{} on {}: {}", sql, c, error == null ? "OK" : error);
                done.trySuccess(null);
            }
        }, true);
    }
}
