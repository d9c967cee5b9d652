package dev.berth.mysql.message;

import static dev.berth.mysql.codec.MysqlBuffers.readFixedBytes;
import static dev.berth.mysql.codec.MysqlBuffers.readNulBytes;
import static dev.berth.mysql.codec.MysqlBuffers.readUnsigned;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server's greeting: protocol version 10.
 *
 * @param seed the 20-byte auth-plugin-data (scramble), both parts joined, without the trailing NUL
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html">Protocol::HandshakeV10</a>
 */
public record HandshakeV10(String serverVersion, long connectionId, byte[] seed, long capabilities,
                           int characterSet, int statusFlags, String authPluginName) {
    public static final int PROTOCOL_VERSION = 10;

    public static HandshakeV10 decode(ByteBuf payload) {
        int protocol = readUnsigned(payload, 1);
        if (protocol != PROTOCOL_VERSION) {
            throw new MalformedPacketException("greeting has protocol version " + protocol + ", expected 10");
        }
        String version = new String(readNulBytes(payload), StandardCharsets.UTF_8);
        long connectionId = Integer.toUnsignedLong(readUnsigned(payload, 4));
        byte[] seedStart = readFixedBytes(payload, 8);
        readFixedBytes(payload, 1); // filler
        long capabilities = readUnsigned(payload, 2);
        int charset = 0;
        int status = 0;
        byte[] seed = seedStart;
        String plugin = null;
        if (payload.isReadable()) {
            charset = readUnsigned(payload, 1);
            status = readUnsigned(payload, 2);
            capabilities |= (long) readUnsigned(payload, 2) << 16;
            int seedLength = readUnsigned(payload, 1);
            readFixedBytes(payload, 10); // reserved; MariaDB keeps its extended capabilities in the last 4
            if (Capabilities.has(capabilities, Capabilities.CLIENT_SECURE_CONNECTION)) {
                int rest = Math.max(13, seedLength - 8);
                byte[] seedEnd = readFixedBytes(payload, Math.min(rest, payload.readableBytes()));
                // The second part is NUL-terminated on the wire; the scramble itself is 20 bytes.
                int end = seedEnd.length;
                while (end > 0 && seedEnd[end - 1] == 0) {
                    end--;
                }
                seed = new byte[8 + end];
                System.arraycopy(seedStart, 0, seed, 0, 8);
                System.arraycopy(seedEnd, 0, seed, 8, end);
            }
            if (Capabilities.has(capabilities, Capabilities.CLIENT_PLUGIN_AUTH) && payload.isReadable()) {
                plugin = readNulOrRest(payload);
            }
        }
        return new HandshakeV10(version, connectionId, seed, capabilities, charset, status, plugin);
    }

    /** Writes the greeting as Berth sends it: always with plugin auth and a 20-byte seed. */
    public void encode(ByteBuf out) {
        out.writeByte(PROTOCOL_VERSION);
        MysqlBuffers.writeNulString(out, serverVersion);
        out.writeIntLE((int) connectionId);
        out.writeBytes(seed, 0, 8);
        out.writeByte(0);
        out.writeShortLE((int) capabilities);
        out.writeByte(characterSet);
        out.writeShortLE(statusFlags);
        out.writeShortLE((int) (capabilities >>> 16));
        out.writeByte(seed.length + 1);
        out.writeZero(10);
        out.writeBytes(seed, 8, seed.length - 8);
        out.writeByte(0);
        MysqlBuffers.writeNulString(out, authPluginName);
    }

    /** Some servers omit the final NUL of the plugin name. */
    static String readNulOrRest(ByteBuf payload) {
        int end = payload.indexOf(payload.readerIndex(), payload.writerIndex(), (byte) 0);
        String value = payload.toString(payload.readerIndex(),
                (end < 0 ? payload.writerIndex() : end) - payload.readerIndex(), StandardCharsets.UTF_8);
        payload.readerIndex(end < 0 ? payload.writerIndex() : end + 1);
        return value;
    }

    @Override
    public String toString() {
        return "HandshakeV10[" + serverVersion + ", id=" + connectionId + ", caps=0x" + Long.toHexString(capabilities)
                + ", charset=" + characterSet + ", plugin=" + authPluginName + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeV10 h && h.serverVersion.equals(serverVersion) && h.connectionId == connectionId
                && Arrays.equals(h.seed, seed) && h.capabilities == capabilities && h.characterSet == characterSet
                && h.statusFlags == statusFlags && java.util.Objects.equals(h.authPluginName, authPluginName);
    }

    @Override
    public int hashCode() {
        return serverVersion.hashCode() * 31 + Long.hashCode(connectionId);
    }
}
