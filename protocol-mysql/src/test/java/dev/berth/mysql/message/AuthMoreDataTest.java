package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class AuthMoreDataTest {
    @Test
    void cachingSha2FastAuthResults() {
        assertArrayEquals(hex("03"), AuthMoreData.decode(payload("""
                01                 # header: AuthMoreData
                03                 # caching_sha2_password: fast auth succeeded
                """)).data());
        assertArrayEquals(hex("04"), AuthMoreData.decode(payload("""
                01                 # header: AuthMoreData
                04                 # caching_sha2_password: perform full authentication
                """)).data());
    }

    @Test
    void publicKeyRoundTrip() {
        String golden = """
                01                                   # header: AuthMoreData
                '-----BEGIN PUBLIC KEY-----' 0a      # the key, as PEM text, to the end of the packet
                """;
        AuthMoreData data = AuthMoreData.decode(payload(golden));
        assertArrayEquals(hex("'-----BEGIN PUBLIC KEY-----' 0a"), data.data());
        ByteBuf out = Unpooled.buffer();
        data.encode(out);
        assertArrayEquals(hex(golden), bytes(out));
    }

    @Test
    void withoutHeaderForClientsThatThinkTheServerOlderThan5516() {
        ByteBuf out = Unpooled.buffer();
        new AuthMoreData(hex("03")).encodeWithoutHeader(out);
        assertArrayEquals(hex("03  # fast auth succeeded, no header"), bytes(out));
    }

    @Test
    void emptyPayloadIsMalformed() {
        Truncation.assertMalformedBelow(hex("01 03"), 1, AuthMoreData::decode);
    }
}
