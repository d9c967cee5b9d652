package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static dev.berth.mysql.Golden.payload;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class AuthSwitchRequestTest {
    static final String SWITCH_TO_NATIVE = """
            fe                           # header: AuthSwitchRequest
            'mysql_native_password' 00   # plugin name
            'F1_l~Y!5)j]rFFmt{.qp'       # new seed, 20 bytes
            00                           # the password plugins end their seed with a NUL
            """;

    @Test
    void decodesAndEncodesGoldenBytes() {
        AuthSwitchRequest request = AuthSwitchRequest.decode(payload(SWITCH_TO_NATIVE));
        assertEquals("mysql_native_password", request.pluginName());
        assertArrayEquals("F1_l~Y!5)j]rFFmt{.qp".getBytes(US_ASCII), request.pluginData());
        ByteBuf out = Unpooled.buffer();
        request.encode(out);
        assertArrayEquals(hex(SWITCH_TO_NATIVE), bytes(out));
    }

    /** An old server's switch with no data at all (the client then uses the greeting's seed). */
    @Test
    void withoutPluginData() {
        AuthSwitchRequest request = AuthSwitchRequest.decode(payload("fe 'mysql_old_password' 00"));
        assertEquals("mysql_old_password", request.pluginName());
        assertArrayEquals(new byte[0], request.pluginData());
    }

    @Test
    void truncatedBeforeThePluginNameEndsIsMalformed() {
        Truncation.assertMalformedBelow(hex(SWITCH_TO_NATIVE), 23, AuthSwitchRequest::decode);
    }
}
