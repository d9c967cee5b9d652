package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserCredentialTest {

    @Test
    void plainPassword() {
        UserCredential user = UserCredential.parse("app:s3cret");
        assertEquals("app", user.name());
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), user.password().orElseThrow());
        assertTrue(user.nativeHash().isEmpty());
    }

    @Test
    void passwordMayContainColonsAndBeEmpty() {
        assertArrayEquals("a:b:c".getBytes(StandardCharsets.UTF_8),
                UserCredential.parse("app:a:b:c").password().orElseThrow());
        assertArrayEquals(new byte[0], UserCredential.parse("app:").password().orElseThrow());
    }

    @Test
    void starHexIsTheNativeHash() {
        // SHA1(SHA1("password")), as mysql.user shows it for mysql_native_password.
        UserCredential user = UserCredential.parse("app:*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
        assertTrue(user.password().isEmpty());
        assertArrayEquals(HexFormat.of().parseHex("2470c0c06dee42fd1618bb99005adca2ec9d1e19"),
                user.nativeHash().orElseThrow());
        assertEquals(20, user.nativeHash().orElseThrow().length);
    }

    @Test
    void lowerCaseHexIsAcceptedToo() {
        assertTrue(UserCredential.parse("app:*2470c0c06dee42fd1618bb99005adca2ec9d1e19").nativeHash().isPresent());
    }

    @Test
    void aStarWithoutFortyHexDigitsIsRefusedWithoutEchoingIt() {
        // A mistyped hash must not quietly become the plain password "*ZZ...".
        for (String secret : List.of("*", "*ZZ", "*2470C0C06DEE42FD", "*ZZ70C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
                "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19A")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> UserCredential.parse("app:" + secret), secret);
            assertEquals("user 'app': a password starting with * must be a mysql_native_password hash, * and 40 hex "
                    + "digits; a plain password cannot start with *, which marks a hash", e.getMessage());
        }
    }

    @Test
    void aStarLaterInThePasswordIsPlainText() {
        assertArrayEquals("pa*ss".getBytes(StandardCharsets.UTF_8),
                UserCredential.parse("app:pa*ss").password().orElseThrow());
    }

    @Test
    void nameIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> UserCredential.parse("app"));
        assertThrows(IllegalArgumentException.class, () -> UserCredential.parse(":secret"));
    }

    @Test
    void toStringHidesTheSecret() {
        assertFalse(UserCredential.parse("app:s3cret").toString().contains("s3cret"));
    }
}
