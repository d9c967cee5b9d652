package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {

    @TempDir
    Path dir;

    @Test
    void readsAccountsSkippingCommentsAndBlankLines() throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, """
                # accounts for the orders service
                app:s3cret

                   # indented comment
                reporting:*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\r
                  hashy:pass#word  \s
                """);

        List<UserCredential> users = UsersFile.read(file);

        assertEquals(List.of("app", "reporting", "hashy"), users.stream().map(UserCredential::name).toList());
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), users.get(0).password().orElseThrow());
        assertArrayEquals(HexFormat.of().parseHex("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"),
                users.get(1).nativeHash().orElseThrow());
        assertTrue(users.get(1).password().isEmpty());
        // '#' inside a line is part of the password, and the surrounding whitespace is not.
        assertArrayEquals("pass#word".getBytes(StandardCharsets.UTF_8), users.get(2).password().orElseThrow());
    }

    @Test
    void anEmptyFileHasNoAccounts() {
        assertEquals(List.of(), UsersFile.parse("users", List.of("", "# nothing yet")));
    }

    @Test
    void aMalformedLineIsNamedByFileAndLineWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UsersFile.parse("/etc/berth/users", List.of("# header", "app:ok", "no-colon-secret")));

        assertEquals("/etc/berth/users:3: write name:password or name:*HEX (40 hex digits)", e.getMessage());
        assertFalse(e.getMessage().contains("no-colon-secret"));
    }

    @Test
    void aMistypedHashIsNamedByLineAndUserWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UsersFile.parse("users", List.of("app:ok", "ro:*ZZ")));
        assertEquals("users:2: user 'ro': a password starting with * must be a mysql_native_password hash, * and 40 "
                + "hex digits; a plain password cannot start with *, which marks a hash", e.getMessage());
    }

    @Test
    void aLineWithoutNameIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UsersFile.parse("users", List.of(":password")));
        assertTrue(e.getMessage().startsWith("users:1: "), e.getMessage());
    }

    @Test
    void aRepeatedNameNamesBothLines() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UsersFile.parse("users", List.of("app:one", "", "app:two")));
        assertEquals("users:3: user 'app' is already given on line 1", e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UsersFile.read(missing));
        assertEquals("users file " + missing + ": cannot read it (no such file)", e.getMessage());
    }
}
