package dev.berth.proxy.frontend;

import dev.berth.mysql.message.command.StatementIds;
import dev.berth.proxy.backend.ServerStatements;
import java.util.HashMap;
import java.util.Map;

/**
 * Transaction pool mode: the statements one client has prepared, under ids Berth issues (the server's ids differ
 * from one backend connection to the next). Each names a {@link ServerStatements.Key}, prepared on whichever
 * connection runs it. On the client's event loop.
 */
final class ClientStatements {
    /** The server's max_prepared_stmt_count default: a client that never closes its statements stops here. */
    static final int LIMIT = 16382;

    /** One statement of the client's. {@code parameters} is -1 until its COM_STMT_PREPARE has been answered. */
    static final class Prepared {
        final ServerStatements.Key key;
        int parameters;
        /** The parameter types the client last sent, for executions that do not send them again. */
        byte[] types;
        private boolean cursor;
        private boolean longData;
        /** The client's statements while this one is among them: they count what their statements hold. */
        private ClientStatements owner;

        Prepared(ServerStatements.Key key, int parameters) {
            this.key = key;
            this.parameters = parameters;
        }

        /** An execution opened a cursor on the server that the client may still fetch from. */
        boolean cursor() {
            return cursor;
        }

        void cursor(boolean open) {
            if (owner != null && open != cursor) {
                owner.cursors += open ? 1 : -1;
            }
            cursor = open;
        }

        /** COM_STMT_SEND_LONG_DATA sent parameter data the server holds for the next execution. */
        boolean longData() {
            return longData;
        }

        void longData(boolean sent) {
            if (owner != null && sent != longData) {
                owner.longData += sent ? 1 : -1;
            }
            longData = sent;
        }

        /** Whether the statement holds something on its connection that the client will come back for. */
        boolean holdsState() {
            return cursor || longData;
        }
    }

    private final Map<Long, Prepared> statements = new HashMap<>();
    private long nextId = 1;
    private long lastPrepared = -1;
    /** How many of the statements have an open cursor, and how many hold long data (kept, not counted per command). */
    private int cursors;
    private int longData;

    /** Registers a statement and returns its id for the client; -1 when the client holds {@link #LIMIT} already. */
    long add(Prepared statement) {
        if (statements.size() >= LIMIT) {
            return -1;
        }
        long id = nextId++;
        statements.put(id, statement);
        statement.owner = this; // a new statement, holding nothing yet
        lastPrepared = id;
        return id;
    }

    /** The statement, or null; {@link StatementIds#LAST_PREPARED} names the last one prepared (MariaDB). */
    Prepared get(long id) {
        return statements.get(id == StatementIds.LAST_PREPARED ? lastPrepared : id);
    }

    /** Forgets a statement the client closed; it keeps its flags, so that what it held can be dropped. */
    Prepared remove(long id) {
        Prepared removed = statements.remove(id == StatementIds.LAST_PREPARED ? lastPrepared : id);
        if (removed != null) {
            cursors -= removed.cursor ? 1 : 0;
            longData -= removed.longData ? 1 : 0;
            removed.owner = null;
        }
        return removed;
    }

    /** Whether any statement holds state on the connection (pins the client). */
    boolean anyCursor() {
        return cursors > 0;
    }

    boolean anyLongData() {
        return longData > 0;
    }

    /** The session was reset or restarted, which closes every statement. */
    void clear() {
        statements.values().forEach(s -> s.owner = null);
        statements.clear();
        lastPrepared = -1;
        cursors = 0;
        longData = 0;
    }
}
