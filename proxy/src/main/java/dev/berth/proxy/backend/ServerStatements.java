package dev.berth.proxy.backend;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements prepared on one backend connection (transaction pool mode), by what they are: the SQL as the
 * client sent it, the schema and character set it was prepared under. Bounded, least recently used first out: an
 * evicted statement is closed on the server. Touched only by the client that holds the connection (the pool's
 * hand-over orders one holder's changes before the next's).
 */
public final class ServerStatements {
    /** The most statements one connection keeps prepared. */
    public static final int LIMIT = 256;

    /** What a statement is, wherever it is prepared. */
    public record Key(String schema, String characterSet, String sql) {
    }

    /**
     * One statement on this connection. {@code id} is -1 while its COM_STMT_PREPARE has not been answered;
     * {@code boundTypes} are the parameter types last sent with it, which the server keeps for executions that do
     * not send them again.
     */
    public static final class Statement {
        private long id = -1;
        private byte[] boundTypes;

        public long id() {
            return id;
        }

        public void id(long id) {
            this.id = id;
        }

        public boolean typesBound(byte[] types) {
            return boundTypes != null && Arrays.equals(boundTypes, types);
        }

        public void boundTypes(byte[] types) {
            this.boundTypes = types;
        }
    }

    private final LinkedHashMap<Key, Statement> statements = new LinkedHashMap<>(16, 0.75f, true);

    /** The statement, marked most recently used; null when it is not prepared here. */
    public Statement get(Key key) {
        return statements.get(key);
    }

    /**
     * Records a statement being prepared (its id follows with the answer). Adds to {@code evicted} the server ids
     * of statements it displaces (the same statement prepared before, the least recently used past {@link #LIMIT}),
     * for the caller to close.
     */
    public Statement add(Key key, List<Long> evicted) {
        Statement statement = new Statement();
        Statement replaced = statements.put(key, statement);
        if (replaced != null && replaced.id >= 0) {
            evicted.add(replaced.id);
        }
        Iterator<Map.Entry<Key, Statement>> oldest = statements.entrySet().iterator();
        while (statements.size() > LIMIT && oldest.hasNext()) {
            Statement out = oldest.next().getValue();
            oldest.remove();
            if (out.id >= 0) {
                evicted.add(out.id);
            }
        }
        return statement;
    }

    /** The server refused to prepare it, or it was closed: forget it. */
    public void remove(Key key) {
        statements.remove(key);
    }

    /** The server's session was reset or restarted, which closes every statement. */
    public void clear() {
        statements.clear();
    }

    public int size() {
        return statements.size();
    }
}
