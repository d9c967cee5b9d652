package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pool's periodic upkeep, once a second: closes idle connections past their lifetime or idle time, pings those
 * not pinged for the keepalive interval (so the server's wait_timeout never closes them), and opens connections until
 * min idle are idle.
 */
final class Housekeeper {
    /** What one round found to do, decided under the pool's lock and done outside it. */
    record Round(List<BackendConnection> aged, List<BackendConnection> toPing, int warm, PoolKey key) {
    }

    private final BackendPool pool;

    Housekeeper(BackendPool pool) {
        this.pool = pool;
    }

    void start(EventLoop loop) {
        loop.scheduleWithFixedDelay(() -> run(loop), 1, 1, TimeUnit.SECONDS);
    }

    void run(EventLoop loop) {
        Round round = pool.plan();
        if (round == null) {
            return;
        }
        round.aged().forEach(pool::quit);
        for (BackendConnection c : round.toPing()) {
            // Safe while idle: a client that takes it meanwhile queues its commands behind the ping.
            InternalCommand.send(c, InternalCommand.ping(c.channel().alloc()), (backend, error, lost) -> {
                if (error != null) {
                    pool.discard(backend, CloseReason.PING_FAILED);
                }
            }, true);
        }
        for (int i = 0; i < round.warm(); i++) {
            pool.openIdle(loop, round.key());
        }
    }
}
