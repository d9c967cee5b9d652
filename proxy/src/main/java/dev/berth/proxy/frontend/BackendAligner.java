package dev.berth.proxy.frontend;

import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import dev.berth.proxy.backend.SessionRestart;
import dev.berth.proxy.pool.PinReason;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a backend connection to a client's view of its session with as few commands as it takes, none when the
 * connection already matches: one SET for the character set and the connection id (so that CONNECTION_ID() is the
 * id of Berth's greeting, through the server's {@code pseudo_thread_id}), COM_SET_OPTION for multi-statements,
 * COM_INIT_DB for the schema, and first a {@link SessionRestart} when the client has no schema and the connection
 * has one. Its future completes once the server has answered them all, so that no client command
 * runs in the wrong session. The one exception: when only the connection id differs (a churned client on a
 * connection just reset), its SET goes ahead of the client's command without a wait, as nothing else rides on it.
 *
 * <p>The future fails with {@link AlignmentFailure} when the server refused the schema (the client gets that ERR) or
 * the connection was lost. A character set the server does not know keeps the server's default, as a direct login
 * with that collation id would. When the backend account may not set {@code pseudo_thread_id} (it needs SUPER or
 * the server's equivalent), Berth says so once for that account and leaves CONNECTION_ID() to the server for its
 * clients.
 */
public final class BackendAligner {
    private static final Logger log = LoggerFactory.getLogger(BackendAligner.class);
    private static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
    /** Leaves no warnings, ROW_COUNT() -1, FOUND_ROWS() 0 (a statement without a table would keep the warnings). */
    private static final String CLEAR_PREVIOUS = "SELECT 1 FROM (SELECT 1) AS berth WHERE 0";

    private final boolean transactionMode;
    /** Backend accounts the server refused pseudo_thread_id: their clients see the server's thread ids. */
    private final Set<BackendAccount> unmappable = ConcurrentHashMap.newKeySet();

    /**
     * @param transactionMode whether clients move between connections (transaction pool mode): their variables and
     *                        LAST_INSERT_ID() are restored too, and the server's session tracking is turned on
     */
    BackendAligner(boolean transactionMode) {
        this.transactionMode = transactionMode;
    }

    /** Why a connection could not be aligned: the ERR to give the client. */
    static final class AlignmentFailure extends Exception {
        private final transient ErrPacket error;

        AlignmentFailure(ErrPacket error) {
            super(error.toString(), null, false, false);
            this.error = error;
        }

        ErrPacket error() {
            return error;
        }
    }

    /** The outstanding commands of one alignment; touched only on the backend connection's event loop. */
    private static final class Progress {
        final Promise<Void> aligned;
        int outstanding;

        Progress(Promise<Void> aligned) {
            this.aligned = aligned;
        }

        void send(BackendConnection b, io.netty.buffer.ByteBuf frame, InternalCommand.Callback onResult,
                  boolean flush) {
            outstanding++;
            InternalCommand.send(b, frame, (c, error, lost) -> {
                onResult.onResult(c, error, lost);
                if (lost != null) {
                    aligned.tryFailure(new AlignmentFailure(ClientErrors.lostError(lost)));
                } else if (--outstanding == 0) {
                    aligned.trySuccess(null);
                }
            }, flush);
        }
    }

    Future<Void> align(ClientSession session, BackendConnection b, Promise<Void> aligned) {
        return align(session, b, aligned, null);
    }

    boolean transactionMode() {
        return transactionMode;
    }

    /**
     * @param next in transaction pool mode, the client's statement the connection is taken for (null for another
     *             command): LAST_INSERT_ID() is restored when it reads it, and what the statement before left
     *             (warnings, ROW_COUNT(), FOUND_ROWS()) is cleared when it reads that and the connection's last
     *             statement was not the client's, so that no other client's shows; Berth's connection id is set
     *             only where {@link #setsConnectionId} says
     */
    Future<Void> align(ClientSession session, BackendConnection b, Promise<Void> aligned, StatementClassifier next) {
        boolean readsInsertId = next != null && next.readsInsertId();
        boolean clearsPrevious = next != null && next.readsPrevious();
        boolean setsConnectionId = next == null || setsConnectionId(Command.COM_QUERY, next);
        if (session.schema() == null && b.schema() != null) {
            // A client with no schema on a connection left in one: only a new session leaves it, and comes first.
            Loops.runOn(b.eventLoop(), () -> SessionRestart.run(b, session.characterSet(), session.backendAttributes(),
                    b.eventLoop().newPromise()).addListener(restarted -> alignSession(session, b, aligned,
                    readsInsertId, clearsPrevious, setsConnectionId)));
            return aligned;
        }
        return alignSession(session, b, aligned, readsInsertId, clearsPrevious, setsConnectionId);
    }

    private Future<Void> alignSession(ClientSession session, BackendConnection b, Promise<Void> aligned,
                                      boolean readsInsertId, boolean clearsPrevious, boolean setsConnectionId) {
        List<Runnable> steps = new ArrayList<>(3);
        Progress progress = new Progress(aligned);
        int charset = session.characterSet();
        long connectionId = mayMapConnectionId(b) ? session.connectionId() : b.serverConnectionId();
        if (transactionMode) {
            long idToSet = !setsConnectionId || b.pseudoThreadId() == connectionId ? -1 : connectionId;
            SessionSet set = SessionSet.of(session.variables().snapshot(), b.variables(), b.tracking(),
                    b.characterSet() == charset ? -1 : charset, idToSet,
                    readsInsertId && b.lastInsertId() != session.lastInsertId() ? session.lastInsertId() : -1);
            if (set.sql() != null) {
                steps.add(() -> restoreSession(progress, b, session, set, charset, idToSet, readsInsertId));
            }
        } else if (b.characterSet() != charset) {
            steps.add(() -> setSession(progress, b, charset, connectionId));
        } else {
            // Not waited for (a churned client's checkout costs no round trip): the server answers it before the
            // client's command written after it, and its failure (a privilege) changes nothing else.
            mapConnectionId(session, b);
        }
        int multiStatements = session.multiStatements() ? 1 : 0;
        if (b.multiStatements() != multiStatements) {
            steps.add(() -> progress.send(b, InternalCommand.setMultiStatements(b.channel().alloc(),
                    multiStatements == 1), (c, error, lost) -> {
                        if (error != null || lost != null) {
                            c.multiStatements(-1);
                        }
                    }, false));
        }
        String schema = session.schema();
        if (schema != null && !schema.equals(b.schema())) {
            steps.add(() -> progress.send(b, InternalCommand.initDb(b.channel().alloc(), schema), (c, error, lost) -> {
                if (error == null && lost == null) {
                    c.schema(schema);
                } else if (error != null) {
                    aligned.tryFailure(new AlignmentFailure(error));
                }
            }, false));
        }
        if (clearsPrevious && (!steps.isEmpty() || b.lastClient() != session.connectionId())) {
            // Nothing of another client's statement may show.
            steps.add(() -> progress.send(b, InternalCommand.query(b.channel().alloc(), CLEAR_PREVIOUS),
                    (c, error, lost) -> { }, false));
        }
        if (steps.isEmpty()) {
            aligned.trySuccess(null);
            return aligned;
        }
        Loops.runOn(b.eventLoop(), () -> {
            steps.forEach(Runnable::run);
            b.channel().flush();
        });
        return aligned;
    }

    /**
     * Transaction pool mode: one SET for tracking, variables, character set, connection id ({@code idToSet}, -1 for
     * none) and LAST_INSERT_ID().
     */
    private void restoreSession(Progress progress, BackendConnection b, ClientSession session, SessionSet set,
                                int charset, long idToSet, boolean readsInsertId) {
        progress.send(b, InternalCommand.query(b.channel().alloc(), set.sql()), (c, error, lost) -> {
            if (error == null && lost == null) {
                log.trace("{} for client {}: {}", c, session.connectionId(), set.sql());
                c.tracking(true);
                c.variables().clear();
                c.variables().putAll(set.variables());
                c.characterSet(SessionSet.choosesCharacterSet(set.variables()) ? -1 : charset);
                if (idToSet >= 0) {
                    c.pseudoThreadId(idToSet);
                }
                if (readsInsertId) {
                    c.lastInsertId(session.lastInsertId());
                }
            } else if (error != null && error.code() == ER_SPECIFIC_ACCESS_DENIED && mayMapConnectionId(c)
                    && idToSet >= 0 && idToSet != c.serverConnectionId()) {
                warnConnectionIdUnmapped(c, error);
                long own = c.serverConnectionId();
                long ownToSet = c.pseudoThreadId() == own ? -1 : own;
                SessionSet unmapped = SessionSet.of(session.variables().snapshot(), c.variables(), c.tracking(),
                        charset, ownToSet, readsInsertId ? session.lastInsertId() : -1);
                if (unmapped.sql() != null) {
                    restoreSession(progress, c, session, unmapped, charset, ownToSet, readsInsertId);
                }
            } else if (error != null) {
                c.variables().clear();
                c.tracking(false);
                progress.aligned.tryFailure(new AlignmentFailure(new ErrPacket(error.code(), error.sqlState(),
                        "berth: could not restore your session on another server connection (" + set.sql()
                                + "): " + error.message())));
            }
        }, true);
    }

    /**
     * Transaction pool mode: whether Berth's connection id must be set before {@code command} ({@code statement} its
     * reading when a COM_QUERY): it reads CONNECTION_ID(), may (an executed prepared statement), or creates a
     * temporary table, which the server keys by that id (the table would vanish if the id changed later).
     */
    static boolean setsConnectionId(int command, StatementClassifier statement) {
        if (statement == null) {
            return command == Command.COM_STMT_EXECUTE;
        }
        return statement.readsConnectionId() || statement.pins().contains(PinReason.TEMPORARY_TABLES);
    }

    /**
     * Transaction pool mode, for a client already attached whose next command may read CONNECTION_ID(): sets the
     * greeting's id on the connection when it shows another (the connection was taken for a statement that did not
     * read it). Not waited for: the server answers it before the command written after it.
     */
    void mapConnectionId(ClientSession session, BackendConnection b) {
        long id = session.connectionId();
        if (!mayMapConnectionId(b) || b.pseudoThreadId() == id) {
            return;
        }
        InternalCommand.send(b, InternalCommand.query(b.channel().alloc(), "SET pseudo_thread_id=" + id),
                (c, error, lost) -> {
                    if (error == null && lost == null) {
                        c.pseudoThreadId(id);
                    } else if (error != null && error.code() == ER_SPECIFIC_ACCESS_DENIED
                            && mayMapConnectionId(c)) {
                        warnConnectionIdUnmapped(c, error);
                    }
                }, false);
    }

    private boolean mayMapConnectionId(BackendConnection b) {
        return !unmappable.contains(b.account());
    }

    /** Once per account: its clients see the server's thread ids from now on; other accounts are not affected. */
    private void warnConnectionIdUnmapped(BackendConnection b, ErrPacket error) {
        if (unmappable.add(b.account())) {
            log.warn("the backend account {} may not set pseudo_thread_id ({}): CONNECTION_ID() through Berth "
                    + "shows the backend's thread id, not the greeting's, for its clients; grant it SUPER (MariaDB) "
                    + "or SYSTEM_VARIABLES_ADMIN (MySQL) to fix", b.account(), error.message());
        }
    }

    private void setSession(Progress progress, BackendConnection b, int charset, long connectionId) {
        StringBuilder sql = new StringBuilder("SET character_set_client=").append(charset)
                .append(", character_set_results=").append(charset).append(", collation_connection=").append(charset);
        boolean mapsId = connectionId != b.pseudoThreadId();
        if (mapsId) {
            sql.append(", pseudo_thread_id=").append(connectionId);
        }
        progress.send(b, InternalCommand.query(b.channel().alloc(), sql.toString()), (c, error, lost) -> {
            if (error == null && lost == null) {
                c.characterSet(charset);
                c.pseudoThreadId(connectionId);
            } else if (error != null && mapsId && error.code() == ER_SPECIFIC_ACCESS_DENIED) {
                warnConnectionIdUnmapped(c, error);
                setSession(progress, c, charset, c.serverConnectionId());
            } else if (error != null) {
                log.debug("{} keeps its character set: {}", c, error);
            }
        }, true);
    }
}
