package dev.berth.mysql.message;

import static dev.berth.mysql.codec.MysqlBuffers.readLenencBytes;
import static dev.berth.mysql.codec.MysqlBuffers.readNulBytes;
import static dev.berth.mysql.codec.MysqlBuffers.readUnsigned;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.protocol.Capabilities;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The client's answer to the greeting. Its first 32 bytes alone form an SSLRequest.
 *
 * @param database       the initial schema, or null
 * @param authPluginName the plugin the client used for {@code authResponse}, or null when not given
 * @param zstdCompressionLevel the zstd level the client asks for with CLIENT_ZSTD_COMPRESSION_ALGORITHM, else 0
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html">Protocol::HandshakeResponse41</a>
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html">Protocol::SSLRequest</a>
 */
public record HandshakeResponse41(long capabilities, int maxPacketSize, int characterSet, String username,
                                  byte[] authResponse, String database, String authPluginName,
                                  Map<String, String> attributes, int zstdCompressionLevel) {
    /** capability flags (4), max packet size (4), character set (1), filler (23). */
    public static final int SSL_REQUEST_LENGTH = 32;

    /** A response without CLIENT_ZSTD_COMPRESSION_ALGORITHM, as Berth sends to a backend. */
    public HandshakeResponse41(long capabilities, int maxPacketSize, int characterSet, String username,
                               byte[] authResponse, String database, String authPluginName,
                               Map<String, String> attributes) {
        this(capabilities, maxPacketSize, characterSet, username, authResponse, database, authPluginName, attributes,
                0);
    }

    /** Whether this payload is an SSLRequest: the fixed part alone, with CLIENT_SSL set. */
    public static boolean isSslRequest(ByteBuf payload) {
        return payload.readableBytes() == SSL_REQUEST_LENGTH
                && (payload.getIntLE(payload.readerIndex()) & Capabilities.CLIENT_SSL) != 0;
    }

    public static HandshakeResponse41 decode(ByteBuf payload) {
        long caps = Integer.toUnsignedLong(readUnsigned(payload, 4));
        if (!Capabilities.has(caps, Capabilities.CLIENT_PROTOCOL_41)) {
            throw new MalformedPacketException("client does not speak protocol 4.1 (CLIENT_PROTOCOL_41 unset)");
        }
        int maxPacket = readUnsigned(payload, 4);
        int charset = readUnsigned(payload, 1);
        MysqlBuffers.readFixedBytes(payload, 23);
        String user = new String(readNulBytes(payload), StandardCharsets.UTF_8);
        byte[] auth;
        if (Capabilities.has(caps, Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = readLenencBytes(payload);
        } else if (Capabilities.has(caps, Capabilities.CLIENT_SECURE_CONNECTION)) {
            auth = MysqlBuffers.readFixedBytes(payload, readUnsigned(payload, 1));
        } else {
            auth = readNulBytes(payload);
        }
        // Each field its capability announces must be there in full: a cut packet is malformed, never read as
        // one without a schema or with a shortened one.
        String database = null;
        if (Capabilities.has(caps, Capabilities.CLIENT_CONNECT_WITH_DB)) {
            database = new String(readNulBytes(payload), StandardCharsets.UTF_8);
        }
        String plugin = null;
        if (Capabilities.has(caps, Capabilities.CLIENT_PLUGIN_AUTH)) {
            plugin = new String(readNulBytes(payload), StandardCharsets.UTF_8);
        }
        Map<String, String> attributes = Map.of();
        if (Capabilities.has(caps, Capabilities.CLIENT_CONNECT_ATTRS)) {
            attributes = ConnectionAttributes.read(payload);
        }
        int zstdLevel = 0;
        if (Capabilities.has(caps, Capabilities.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            zstdLevel = readUnsigned(payload, 1);
        }
        return new HandshakeResponse41(caps, maxPacket, charset, user, auth, database, plugin, attributes, zstdLevel);
    }

    /** Writes the response as Berth sends it to a backend (lenenc auth data, plugin name, attributes). */
    public void encode(ByteBuf out) {
        writeFixedPart(out, capabilities, maxPacketSize, characterSet);
        MysqlBuffers.writeNulString(out, username);
        MysqlBuffers.writeLenencBytes(out, authResponse);
        if (Capabilities.has(capabilities, Capabilities.CLIENT_CONNECT_WITH_DB)) {
            MysqlBuffers.writeNulString(out, database == null ? "" : database);
        }
        if (Capabilities.has(capabilities, Capabilities.CLIENT_PLUGIN_AUTH)) {
            MysqlBuffers.writeNulString(out, authPluginName);
        }
        if (Capabilities.has(capabilities, Capabilities.CLIENT_CONNECT_ATTRS)) {
            ConnectionAttributes.write(out, attributes);
        }
        if (Capabilities.has(capabilities, Capabilities.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            out.writeByte(zstdCompressionLevel);
        }
    }

    /** The 32 bytes shared by the SSLRequest and the full response. */
    public static void writeFixedPart(ByteBuf out, long capabilities, int maxPacketSize, int characterSet) {
        out.writeIntLE((int) capabilities);
        out.writeIntLE(maxPacketSize);
        out.writeByte(characterSet);
        out.writeZero(23);
    }

    @Override
    public String toString() {
        return "HandshakeResponse41[user=" + username + ", db=" + database + ", caps=0x" + Long.toHexString(capabilities)
                + ", charset=" + characterSet + ", plugin=" + authPluginName + "]";
    }
}
