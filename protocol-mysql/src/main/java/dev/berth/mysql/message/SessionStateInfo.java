package dev.berth.mysql.message;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session-state-info block of an OK packet (CLIENT_SESSION_TRACK): what the statement changed in the session, as
 * a sequence of entries, each a type byte and a length-encoded string holding the entry's data.
 *
 * @param entries the entries in the order the block holds them
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet</a>
 */
public record SessionStateInfo(List<Entry> entries) {
    /** Data: the variable's name and its new value, both length-encoded strings. */
    public static final int SYSTEM_VARIABLES = 0;
    /** Data: the new current schema's name, a length-encoded string. */
    public static final int SCHEMA = 1;
    /** Data: the character "1" itself, not length-encoded (servers send 02 01 31, as MySQL's client expects). */
    public static final int STATE_CHANGE = 2;
    /** Data: one byte saying how the GTIDs are encoded, then the GTIDs as a length-encoded string. */
    public static final int GTIDS = 3;
    /** Data: the statements that would recreate the transaction's characteristics, a length-encoded string. */
    public static final int TRANSACTION_CHARACTERISTICS = 4;
    /** Data: the transaction's state as 8 characters, a length-encoded string. */
    public static final int TRANSACTION_STATE = 5;

    public SessionStateInfo {
        entries = List.copyOf(entries);
    }

    /**
     * Reads a block. Each known type's data must hold the fields its type says (bytes after them are tolerated, as
     * clients tolerate them); an unknown type's data is kept as it is.
     *
     * @throws MalformedPacketException when an entry or a field runs past its end
     */
    public static SessionStateInfo decode(byte[] block) {
        ByteBuf buf = Unpooled.wrappedBuffer(block);
        List<Entry> entries = new ArrayList<>();
        while (buf.isReadable()) {
            Entry entry = readEntry(buf);
            entry.value(); // reads the known types' fields, so that a block that lacks them fails here
            entries.add(entry);
        }
        return new SessionStateInfo(entries);
    }

    /**
     * The block's bytes: the inverse of {@link #decode}, byte for byte when the lengths in the decoded block took
     * their shortest form, as servers write them (a longer form is read, and written back short).
     */
    public byte[] encode() {
        ByteBuf out = Unpooled.buffer();
        for (Entry entry : entries) {
            out.writeByte(entry.type());
            MysqlBuffers.writeLenencBytes(out, entry.data());
        }
        byte[] block = new byte[out.readableBytes()];
        out.readBytes(block);
        return block;
    }

    /**
     * The system variables the block reports, name to new value, in the order of their first entries; when a name
     * comes twice, the later value wins.
     */
    public Map<String, String> systemVariables() {
        Map<String, String> variables = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.type() == SYSTEM_VARIABLES) {
                variables.put(entry.variableName(), entry.value());
            }
        }
        return variables;
    }

    /** The schema the block reports as now current (its last schema entry), or null when it reports none. */
    public String schema() {
        return last(SCHEMA);
    }

    /** Whether the block says the session's state changed (a state-change entry with the value "1"). */
    public boolean stateChanged() {
        return entries.stream().anyMatch(entry -> entry.type() == STATE_CHANGE && "1".equals(entry.value()));
    }

    /** The last transaction-characteristics entry's text (possibly empty: no characteristics), or null. */
    public String transactionCharacteristics() {
        return last(TRANSACTION_CHARACTERISTICS);
    }

    /** The last transaction-state entry's text, 8 characters such as {@code "T_______"}, or null. */
    public String transactionState() {
        return last(TRANSACTION_STATE);
    }

    /**
     * The entries a server would send a client with {@code settings}: system variables it shows, the schema, state
     * change and transaction entries only when tracked. GTIDs and types unknown here are passed on, since no setting
     * modelled here turns them off. This block itself when nothing is left out.
     */
    public SessionStateInfo shownTo(SessionTrackSettings settings) {
        List<Entry> shown = entries.stream().filter(entry -> shows(settings, entry)).toList();
        return shown.size() == entries.size() ? this : new SessionStateInfo(shown);
    }

    /**
     * {@link #shownTo(SessionTrackSettings)} on raw bytes: {@code block} itself when nothing is left out, null when
     * nothing remains (also for an empty block), otherwise the remaining entries' bytes.
     *
     * @throws MalformedPacketException when the block cannot be decoded
     */
    public static byte[] shownTo(byte[] block, SessionTrackSettings settings) {
        SessionStateInfo info = decode(block);
        SessionStateInfo shown = info.shownTo(settings);
        if (shown.entries.isEmpty()) {
            return null;
        }
        return shown == info ? block : shown.encode();
    }

    /**
     * The schema the block reports as now current, or null when it reports none. Only the schema entries' data is
     * read, so that a block whose other entries this version cannot read still yields its schema.
     *
     * @throws MalformedPacketException when the entries or a schema entry run past their end
     */
    public static String schema(byte[] block) {
        ByteBuf buf = Unpooled.wrappedBuffer(block);
        String schema = null;
        while (buf.isReadable()) {
            Entry entry = readEntry(buf);
            if (entry.type() == SCHEMA) {
                schema = entry.value();
            }
        }
        return schema;
    }

    private static Entry readEntry(ByteBuf buf) {
        int type = MysqlBuffers.readUnsigned(buf, 1);
        return new Entry(type, MysqlBuffers.readLenencBytes(buf));
    }

    private String last(int type) {
        String value = null;
        for (Entry entry : entries) {
            if (entry.type() == type) {
                value = entry.value();
            }
        }
        return value;
    }

    private static boolean shows(SessionTrackSettings settings, Entry entry) {
        return switch (entry.type()) {
            case SYSTEM_VARIABLES -> settings.shows(entry.variableName());
            case SCHEMA -> settings.schema();
            case STATE_CHANGE -> settings.stateChange();
            case TRANSACTION_STATE -> settings.transactionInfo() != SessionTrackSettings.TransactionInfo.OFF;
            case TRANSACTION_CHARACTERISTICS ->
                    settings.transactionInfo() == SessionTrackSettings.TransactionInfo.CHARACTERISTICS;
            default -> true;
        };
    }

    /**
     * One entry of the block.
     *
     * @param type one of the type constants of {@link SessionStateInfo}, or another byte value
     * @param data what follows the type's length: the entry's fields (not copied)
     */
    public record Entry(int type, byte[] data) {
        public Entry {
            if (type < 0 || type > 0xff) {
                throw new IllegalArgumentException("entry type " + type + " is not a byte");
            }
            if (data == null) {
                throw new NullPointerException("data");
            }
        }

        /**
         * A system-variable entry's variable name (UTF-8), or null for other types.
         *
         * @throws MalformedPacketException when the data does not start with a length-encoded string
         */
        public String variableName() {
            return type == SYSTEM_VARIABLES ? MysqlBuffers.readLenencString(Unpooled.wrappedBuffer(data)) : null;
        }

        /**
         * The entry's text (UTF-8): a system variable's value, the schema's name, the state change's "1", the
         * GTIDs, the transaction characteristics or state; null for a type unknown here.
         *
         * @throws MalformedPacketException when the data lacks a field its type says it holds
         */
        public String value() {
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            switch (type) {
                case STATE_CHANGE -> {
                    return new String(data, StandardCharsets.UTF_8);
                }
                case SYSTEM_VARIABLES -> MysqlBuffers.readLenencBytes(buf); // the name
                case GTIDS -> MysqlBuffers.readUnsigned(buf, 1); // the encoding specification
                case SCHEMA, TRANSACTION_CHARACTERISTICS, TRANSACTION_STATE -> {
                }
                default -> {
                    return null;
                }
            }
            return MysqlBuffers.readLenencString(buf);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Entry entry && type == entry.type && Arrays.equals(data, entry.data);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Entry[type=" + type + ", data=" + HexFormat.of().formatHex(data) + "]";
        }
    }
}
