package dev.berth.mysql.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Readers and writers for the protocol's basic data types.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html">Basic Data Types</a>
 */
public final class MysqlBuffers {
    private MysqlBuffers() {
    }

    /** Reads a length-encoded integer. Throws {@link MalformedPacketException} on 0xFB or 0xFF prefixes. */
    public static long readLenencInt(ByteBuf buf) {
        int first = readUnsigned(buf, 1);
        if (first < 0xfb) {
            return first;
        }
        return switch (first) {
            case 0xfc -> readUnsigned(buf, 2);
            case 0xfd -> readUnsigned(buf, 3);
            case 0xfe -> {
                ensure(buf, 8);
                yield buf.readLongLE();
            }
            default -> throw new MalformedPacketException(
                    String.format("0x%02x is not the start of a length-encoded integer", first));
        };
    }

    public static void writeLenencInt(ByteBuf buf, long value) {
        if (value < 0xfb && value >= 0) {
            buf.writeByte((int) value);
        } else if (value >= 0 && value < (1 << 16)) {
            buf.writeByte(0xfc).writeShortLE((int) value);
        } else if (value >= 0 && value < (1 << 24)) {
            buf.writeByte(0xfd).writeMediumLE((int) value);
        } else {
            buf.writeByte(0xfe).writeLongLE(value);
        }
    }

    /** Reads a length-encoded string as raw bytes. */
    public static byte[] readLenencBytes(ByteBuf buf) {
        long length = readLenencInt(buf);
        if (length < 0 || length > buf.readableBytes()) { // negative: an 8-byte length of 2^63 or more
            throw new MalformedPacketException("length-encoded string of " + Long.toUnsignedString(length)
                    + " bytes overruns the packet");
        }
        byte[] bytes = new byte[(int) length];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readLenencString(ByteBuf buf) {
        return new String(readLenencBytes(buf), StandardCharsets.UTF_8);
    }

    public static void writeLenencBytes(ByteBuf buf, byte[] bytes) {
        writeLenencInt(buf, bytes.length);
        buf.writeBytes(bytes);
    }

    public static void writeLenencString(ByteBuf buf, String value) {
        writeLenencBytes(buf, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a NUL-terminated string as raw bytes; a missing terminator is malformed. */
    public static byte[] readNulBytes(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new MalformedPacketException("string is not NUL-terminated");
        }
        byte[] bytes = new byte[end - buf.readerIndex()];
        buf.readBytes(bytes);
        buf.skipBytes(1);
        return bytes;
    }

    public static String readNulString(ByteBuf buf) {
        return new String(readNulBytes(buf), StandardCharsets.UTF_8);
    }

    public static void writeNulString(ByteBuf buf, String value) {
        buf.writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    /** Reads the rest of the packet (string&lt;EOF&gt;) as raw bytes. */
    public static byte[] readEofBytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readEofString(ByteBuf buf) {
        return new String(readEofBytes(buf), StandardCharsets.UTF_8);
    }

    /** Reads exactly {@code length} bytes, failing cleanly when the packet is too short. */
    public static byte[] readFixedBytes(ByteBuf buf, int length) {
        ensure(buf, length);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    /** Reads a little-endian unsigned integer of 1 to 4 bytes. */
    public static int readUnsigned(ByteBuf buf, int bytes) {
        ensure(buf, bytes);
        return switch (bytes) {
            case 1 -> buf.readUnsignedByte();
            case 2 -> buf.readUnsignedShortLE();
            case 3 -> buf.readUnsignedMediumLE();
            case 4 -> buf.readIntLE();
            default -> throw new IllegalArgumentException("unsupported width " + bytes);
        };
    }

    private static void ensure(ByteBuf buf, int bytes) {
        if (buf.readableBytes() < bytes) {
            throw new MalformedPacketException(
                    "packet ends " + (bytes - buf.readableBytes()) + " byte(s) before a field it must contain");
        }
    }
}
