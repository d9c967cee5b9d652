package dev.berth.mysql.codec;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MysqlBuffersTest {

    /** Each width of the length-encoded integer, at both sides of its boundary. */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource({
        "0,                  00",
        "250,                fa",                          // largest 1-byte value
        "251,                fc fb 00",                    // 0xFB would be NULL, so 251 needs the 2-byte form
        "65535,              fc ff ff",                    // largest 2-byte value
        "65536,              fd 00 00 01",
        "16777215,           fd ff ff ff",                 // largest 3-byte value
        "16777216,           fe 00 00 00 01 00 00 00 00",
        "81985529216486895,  fe ef cd ab 89 67 45 23 01",  // 0x0123456789ABCDEF
        "-1,                 fe ff ff ff ff ff ff ff ff",  // 2^64 - 1, read back as a signed long
    })
    void lenencIntAtEveryWidth(long value, String golden) {
        ByteBuf written = Unpooled.buffer();
        MysqlBuffers.writeLenencInt(written, value);
        assertArrayEquals(hex(golden), bytes(written));

        ByteBuf read = payload(golden);
        assertEquals(value, MysqlBuffers.readLenencInt(read));
        assertFalse(read.isReadable());
    }

    @ParameterizedTest
    @CsvSource({"fb", "ff"})
    void lenencIntRejectsNullAndErrPrefixes(String golden) {
        assertThrows(MalformedPacketException.class, () -> MysqlBuffers.readLenencInt(payload(golden)));
    }

    @ParameterizedTest
    @CsvSource({"fc 01 00", "fd 01 00 00", "fe 01 00 00 00 00 00 00 00", "05"})
    void lenencIntTruncatedAtEveryByteIsMalformed(String golden) {
        assertMalformedAtEveryPrefix(hex(golden), MysqlBuffers::readLenencInt);
    }

    @Test
    void lenencBytes() {
        ByteBuf buf = payload("""
                03 'abc'  # length 3, then the bytes
                00        # an empty string
                """);
        assertArrayEquals("abc".getBytes(), MysqlBuffers.readLenencBytes(buf));
        assertArrayEquals(new byte[0], MysqlBuffers.readLenencBytes(buf));
        assertFalse(buf.isReadable());

        ByteBuf out = Unpooled.buffer();
        MysqlBuffers.writeLenencString(out, "abc");
        assertArrayEquals(hex("03 'abc'"), bytes(out));
    }

    @Test
    void lenencBytesTruncatedAtEveryByteIsMalformed() {
        assertMalformedAtEveryPrefix(hex("fc 01 01" + " 61".repeat(257)), MysqlBuffers::readLenencBytes);
    }

    /** A length of 2^64 - 1 (negative as a Java long) must not reach an array allocation. */
    @Test
    void lenencBytesWithAHugeLengthIsMalformed() {
        assertThrows(MalformedPacketException.class,
                () -> MysqlBuffers.readLenencBytes(payload("fe ff ff ff ff ff ff ff ff 61")));
        assertThrows(MalformedPacketException.class,
                () -> MysqlBuffers.readLenencBytes(payload("fe 00 00 00 80 00 00 00 00 61")));
    }

    @Test
    void nulString() {
        ByteBuf buf = payload("""
                'root' 00  # NUL-terminated
                00         # an empty string
                'x'        # what follows
                """);
        assertEquals("root", MysqlBuffers.readNulString(buf));
        assertArrayEquals(new byte[0], MysqlBuffers.readNulBytes(buf));
        assertEquals(1, buf.readableBytes());

        ByteBuf out = Unpooled.buffer();
        MysqlBuffers.writeNulString(out, "root");
        assertArrayEquals(hex("'root' 00"), bytes(out));
    }

    @Test
    void nulStringWithoutTerminatorIsMalformed() {
        assertThrows(MalformedPacketException.class, () -> MysqlBuffers.readNulString(payload("'root'")));
        assertThrows(MalformedPacketException.class, () -> MysqlBuffers.readNulBytes(payload("")));
        // The terminator must lie within the readable bytes, not after them.
        ByteBuf bounded = payload("'root' 00").slice(0, 4);
        assertThrows(MalformedPacketException.class, () -> MysqlBuffers.readNulBytes(bounded));
    }

    @Test
    void fixedAndUnsigned() {
        ByteBuf buf = payload("""
                01           # int<1>
                02 01        # int<2> 0x0102
                03 02 01     # int<3> 0x010203
                04 03 02 01  # int<4> 0x01020304
                aa bb        # 2 fixed bytes
                """);
        assertEquals(1, MysqlBuffers.readUnsigned(buf, 1));
        assertEquals(0x0102, MysqlBuffers.readUnsigned(buf, 2));
        assertEquals(0x010203, MysqlBuffers.readUnsigned(buf, 3));
        assertEquals(0x01020304, MysqlBuffers.readUnsigned(buf, 4));
        assertArrayEquals(hex("aa bb"), MysqlBuffers.readFixedBytes(buf, 2));
        assertFalse(buf.isReadable());
        assertEquals(0xffff, MysqlBuffers.readUnsigned(payload("ff ff"), 2));
        assertEquals(0xffffff, MysqlBuffers.readUnsigned(payload("ff ff ff"), 3));
    }

    @Test
    void fixedAndUnsignedTruncatedAreMalformed() {
        for (int width = 1; width <= 4; width++) {
            int w = width;
            assertMalformedAtEveryPrefix(new byte[width], buf -> MysqlBuffers.readUnsigned(buf, w));
        }
        assertMalformedAtEveryPrefix(new byte[20], buf -> MysqlBuffers.readFixedBytes(buf, 20));
    }

    @Test
    void eofString() {
        ByteBuf buf = payload("'rest of packet'");
        assertEquals("rest of packet", MysqlBuffers.readEofString(buf));
        assertFalse(buf.isReadable());
        assertArrayEquals(new byte[0], MysqlBuffers.readEofBytes(buf));
    }

    /** Every strict prefix of {@code whole} fails with the codec's exception, never another. */
    static void assertMalformedAtEveryPrefix(byte[] whole, Consumer<ByteBuf> read) {
        for (int length = 0; length < whole.length; length++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(Arrays.copyOf(whole, length));
            int l = length;
            Throwable thrown = null;
            try {
                read.accept(prefix);
            } catch (Throwable t) {
                thrown = t;
            }
            if (!(thrown instanceof MalformedPacketException)) {
                throw new AssertionError("prefix of " + l + " of " + whole.length + " bytes: expected "
                        + "MalformedPacketException, got " + thrown, thrown);
            }
        }
    }
}
