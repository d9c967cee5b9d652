package dev.berth.proxy.frontend;

import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.PinReason;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why one client in transaction pool mode keeps its backend connection between statements, counted in the pool's
 * statistics as reasons come and go. Added from the client's loop (what its statements say) and from the backend's
 * (what the server reports); see docs/ARCHITECTURE.md, "Transaction pooling".
 */
final class Pins {
    private static final Logger log = LoggerFactory.getLogger(Pins.class);

    private final BackendPool pool;
    private final long clientId;
    private final EnumSet<PinReason> reasons = EnumSet.noneOf(PinReason.class);

    Pins(BackendPool pool, long clientId) {
        this.pool = pool;
        this.clientId = clientId;
    }

    synchronized void add(Set<PinReason> added) {
        for (PinReason reason : added) {
            add(reason);
        }
    }

    synchronized void add(PinReason reason) {
        if (reasons.add(reason)) {
            pool.pinned(reason, 1);
            log.debug("client {} pinned to its backend connection: {}", clientId, reason.label());
        }
    }

    synchronized void remove(Set<PinReason> removed) {
        for (PinReason reason : removed) {
            remove(reason);
        }
    }

    synchronized void remove(PinReason reason) {
        if (reasons.remove(reason)) {
            pool.pinned(reason, -1);
            log.debug("client {} no longer pinned by {}", clientId, reason.label());
        }
    }

    /** The session's state is gone (a reset, a new login, the client left). */
    synchronized void clear() {
        for (PinReason reason : reasons) {
            pool.pinned(reason, -1);
        }
        reasons.clear();
    }

    synchronized boolean has(PinReason reason) {
        return reasons.contains(reason);
    }

    synchronized boolean any() {
        return !reasons.isEmpty();
    }

    /** The reasons by their labels, comma-separated; empty when unpinned. */
    synchronized String labels() {
        return String.join(",", reasons.stream().map(PinReason::label).toList());
    }

    @Override
    public synchronized String toString() {
        return reasons.toString();
    }
}
