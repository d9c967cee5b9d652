package dev.berth.mysql.message;

import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;

/**
 * Success, and (with header 0xFE under CLIENT_DEPRECATE_EOF) the end of a result set.
 *
 * <p>Its tail depends on CLIENT_SESSION_TRACK: with it, {@code info} is a length-encoded string (absent when empty
 * and nothing changed) followed by the session state changes when SERVER_SESSION_STATE_CHANGED is set; without
 * it, {@code info} is absent when empty and otherwise a length-encoded string too. (The protocol documentation
 * calls it {@code string<EOF>} there, but MySQL and MariaDB both write it with {@code net_store_data}, i.e.
 * length-encoded, and MySQL Connector/J reads it length-encoded whatever the capabilities: an OK carrying
 * "Rows matched: ..." written as the bare rest of the packet breaks that driver.) A bare rest of the packet is
 * still accepted when decoding.
 *
 * @param sessionState the raw session-state-info block, or null
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet</a>
 */
public record OkPacket(int header, long affectedRows, long lastInsertId, int statusFlags, int warnings, byte[] info,
                       byte[] sessionState) {
    public static final int HEADER = 0x00;
    public static final int EOF_HEADER = 0xfe;
    private static final byte[] EMPTY = new byte[0];

    public static OkPacket ok(int statusFlags) {
        return new OkPacket(HEADER, 0, 0, statusFlags, 0, EMPTY, null);
    }

    /** The end of a result set for a client with CLIENT_DEPRECATE_EOF, in place of the EOF packet. */
    public static OkPacket endOfResultSet(int statusFlags) {
        return new OkPacket(EOF_HEADER, 0, 0, statusFlags, 0, EMPTY, null);
    }

    public static OkPacket decode(ByteBuf payload, long capabilities) {
        int header = MysqlBuffers.readUnsigned(payload, 1);
        long affected = MysqlBuffers.readLenencInt(payload);
        long lastId = MysqlBuffers.readLenencInt(payload);
        int status = MysqlBuffers.readUnsigned(payload, 2);
        int warnings = MysqlBuffers.readUnsigned(payload, 2);
        byte[] info = EMPTY;
        byte[] state = null;
        if (Capabilities.has(capabilities, Capabilities.CLIENT_SESSION_TRACK)) {
            if (payload.isReadable()) {
                info = MysqlBuffers.readLenencBytes(payload);
            }
            if ((status & ServerStatus.SESSION_STATE_CHANGED) != 0 && payload.isReadable()) {
                state = MysqlBuffers.readLenencBytes(payload);
            }
        } else if (payload.isReadable()) {
            info = readInfoWithoutSessionTrack(payload);
        }
        return new OkPacket(header, affected, lastId, status, warnings, info, state);
    }

    /** Length-encoded as servers write it; the bare rest of the packet if the length does not fit exactly. */
    private static byte[] readInfoWithoutSessionTrack(ByteBuf payload) {
        int start = payload.readerIndex();
        try {
            long length = MysqlBuffers.readLenencInt(payload);
            if (length == payload.readableBytes()) {
                return MysqlBuffers.readFixedBytes(payload, (int) length);
            }
        } catch (RuntimeException notLengthEncoded) {
            // fall through
        }
        payload.readerIndex(start);
        return MysqlBuffers.readEofBytes(payload);
    }

    /**
     * Whether anything (info, session state) follows the warnings, read without allocating. A packet too short to
     * have warnings counts as having a trailer, so that decoding it reports the fault.
     */
    public static boolean hasTrailer(ByteBuf payload) {
        int at = payload.readerIndex() + 1;
        int end = payload.writerIndex();
        for (int i = 0; i < 2 && at < end; i++) {
            int first = payload.getUnsignedByte(at);
            at += first < 0xfb ? 1 : first == 0xfc ? 3 : first == 0xfd ? 4 : 9;
        }
        return at + 4 != end;
    }

    /** Writes this packet in the format a peer with {@code capabilities} reads. */
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(header);
        MysqlBuffers.writeLenencInt(out, affectedRows);
        MysqlBuffers.writeLenencInt(out, lastInsertId);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_SESSION_TRACK)) {
            out.writeShortLE(statusFlags);
            out.writeShortLE(warnings);
            if (info.length > 0 || sessionState != null) {
                MysqlBuffers.writeLenencBytes(out, info);
            }
            if (sessionState != null) {
                MysqlBuffers.writeLenencBytes(out, sessionState);
            }
        } else {
            out.writeShortLE(statusFlags & ~ServerStatus.SESSION_STATE_CHANGED);
            out.writeShortLE(warnings);
            if (info.length > 0) {
                MysqlBuffers.writeLenencBytes(out, info);
            }
        }
    }
}
