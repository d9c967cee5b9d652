package dev.berth.proxy.it.support;

/**
 * SQL that names the server's own thread id of the backend connection running it. Through Berth, CONNECTION_ID()
 * is the id of Berth's greeting, so tests that check which backend connection served a client ask the process list
 * for the thread whose statement carries a tag only that statement has.
 */
public final class BackendThread {
    /** A statement whose one value is the backend thread id. */
    public static final String SQL = "SELECT " + of("probe");

    private BackendThread() {
    }

    /** A scalar subquery: the backend thread id; {@code tag} must be unique among statements running at once. */
    public static String of(String tag) {
        return "(SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%backend-thread-" + tag + "-%')";
    }
}
