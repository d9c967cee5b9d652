package dev.berth.proxy.pool;

/** Why the pool closed a backend connection; counted per reason in {@link PoolStats#closedByReason()}. */
public enum CloseReason {
    /** Released while max idle connections were already idle. */
    MAX_IDLE("max-idle"),
    /** Idle longer than the max idle time. */
    MAX_IDLE_TIME("max-idle-time"),
    /** Older than its lifetime (less jitter). */
    MAX_LIFETIME("max-lifetime"),
    /** Idle, and closed to make room at the bound for a connection of another account or CLIENT_FOUND_ROWS kind. */
    MADE_ROOM("made-room"),
    /** Did not answer COM_PING after sitting idle. */
    PING_FAILED("ping-failed"),
    /** COM_RESET_CONNECTION failed on release. */
    RESET_FAILED("reset-failed"),
    /** The server closed it while it was idle or on its way back. */
    CLOSED_BY_SERVER("closed-by-server"),
    /** Berth is shutting down. */
    SHUTDOWN("shutdown"),
    /** Lost while a client held it. */
    LOST_MID_SESSION("lost-mid-session"),
    /** Its client left mid-packet (a large packet or a file half sent), or its killed statement did not end in time. */
    CLIENT_LEFT_MID_COMMAND("client-left-mid-command");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    /** The name in statistics and logs. */
    public String label() {
        return label;
    }
}
