package dev.berth.proxy.frontend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.proxy.backend.BackendException;
import dev.berth.proxy.pool.PoolTimeoutException;

/** The ERRs a client gets when Berth could not give it a working backend connection, each saying what to do. */
final class ClientErrors {
    private ClientErrors() {
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
