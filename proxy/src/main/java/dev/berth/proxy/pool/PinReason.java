package dev.berth.proxy.pool;

import java.util.Locale;

/**
 * Why a client in transaction pool mode keeps its backend connection between statements: its session holds state on
 * that connection that Berth cannot move to another one. Counted per reason in {@link PoolStats#pinnedByReason()}.
 */
public enum PinReason {
    /** User variables ({@code SET @a = 1}, {@code SELECT ... INTO @a}, {@code :=}). */
    USER_VARIABLES,
    /** A temporary table exists. */
    TEMPORARY_TABLES,
    /** A named lock from GET_LOCK. */
    NAMED_LOCKS,
    /** LOCK TABLES, or FLUSH TABLES ... WITH READ LOCK. */
    TABLE_LOCKS,
    /** A statement prepared with the text protocol's PREPARE. */
    SQL_PREPARED_STATEMENTS,
    /** A cursor opened by COM_STMT_EXECUTE, not yet fetched to its end, reset or closed. */
    OPEN_CURSOR,
    /** Parameter data sent with COM_STMT_SEND_LONG_DATA, held by the server for the statement's next execution. */
    LONG_DATA,
    /** HANDLER ... OPEN. */
    HANDLER,
    /** An XA transaction. */
    XA,
    /** SQL_CALC_FOUND_ROWS, until the next statement has run (it may ask FOUND_ROWS()). */
    FOUND_ROWS,
    /** The client changed which session state the server reports, which Berth needs to follow the session. */
    SESSION_TRACKING,
    /** The server reported a change of session state that Berth cannot explain. */
    STATE_CHANGE;

    /** The name in statistics and logs: {@code user-variables}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
