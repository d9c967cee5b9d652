package dev.berth.proxy.backend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.ErrorCode;

/** A backend connection could not be opened or failed; the message says which backend and why. */
public final class BackendException extends Exception {
    private final ErrPacket serverError;

    public BackendException(String message, ErrPacket serverError, Throwable cause) {
        super(message, cause);
        this.serverError = serverError;
    }

    /** The server's own ERR, when it sent one. */
    public ErrPacket serverError() {
        return serverError;
    }

    /** The server refused the login's account or password (ER_ACCESS_DENIED_ERROR). */
    public boolean accessDenied() {
        return serverError != null && serverError.code() == ErrorCode.ACCESS_DENIED.code();
    }
}
