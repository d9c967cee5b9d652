package dev.berth.proxy.frontend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.pool.PoolTimeoutException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ERRs a client gets when Berth could not give it a working backend connection, or failed itself, each saying
 * what to do.
 */
final class ClientErrors {
    private static final Logger log = LoggerFactory.getLogger(ClientErrors.class);

    private ClientErrors() {
    }

    /**
     * A fault that is not about the client's input, logged as what it is: null when the connection just goes (its
     * socket failed, or no memory is left even for an ERR), else the internal-error ERR to refuse it with.
     */
    static ErrPacket fault(ClientSession session, ClientLimits limits, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {}: {}", session.connectionId(), cause.toString());
            return null;
        }
        if (cause instanceof OutOfMemoryError) {
            limits.outOfMemory(session.channel(), cause);
            return null;
        }
        log.warn("client {} failed", session.connectionId(), cause);
        return ErrPacket.of(ErrorCode.INTERNAL_ERROR, "berth: internal error (" + cause
                + "); the connection is closed, reconnect");
    }

    static ErrPacket acquireError(Throwable cause) {
        if (cause instanceof PoolTimeoutException) {
            return ErrPacket.of(ErrorCode.POOL_TIMEOUT, cause.getMessage());
        }
        if (cause instanceof BackendException e && e.serverError() != null) {
            return ErrPacket.of(ErrorCode.BACKEND_UNAVAILABLE, "berth: " + e.getMessage()
                    + "; check --backend-user and --backend-password");
        }
        return ErrPacket.of(ErrorCode.BACKEND_UNAVAILABLE, "berth: " + cause.getMessage()
                + "; check that the server at --backend is up");
    }

    static ErrPacket lostError(Throwable cause) {
        return ErrPacket.of(ErrorCode.BACKEND_LOST, "berth: lost the backend connection (" + cause.getMessage()
                + "); this session's state is gone, reconnect");
    }
}
