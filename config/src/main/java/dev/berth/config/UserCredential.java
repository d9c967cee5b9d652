package dev.berth.config;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A client account Berth authenticates itself. The password is either in plain text (any auth plugin can be
 * verified) or given as the MySQL native hash {@code *HEX} = SHA1(SHA1(password)), which verifies only
 * mysql_native_password logins but stores no plain text.
 */
public record UserCredential(String name, Optional<byte[]> password, Optional<byte[]> nativeHash) {

    public UserCredential {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a user needs a name: write name:password");
        }
        if (password.isEmpty() && nativeHash.isEmpty()) {
            throw new IllegalArgumentException("user '" + name + "' needs a password or a *HEX native hash");
        }
    }

    /** Parses {@code name:password} or {@code name:*HEX} (40 hex digits after the star). */
    public static UserCredential parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("user '" + spec + "' must be written name:password or name:*HEX");
        }
        String name = spec.substring(0, colon);
        String secret = spec.substring(colon + 1);
        if (secret.length() == 41 && secret.charAt(0) == '*' && secret.substring(1).matches("[0-9A-Fa-f]{40}")) {
            return new UserCredential(name, Optional.empty(), Optional.of(HexFormat.of().parseHex(secret.substring(1))));
        }
        return new UserCredential(name, Optional.of(secret.getBytes(StandardCharsets.UTF_8)), Optional.empty());
    }

    @Override
    public String toString() {
        return "UserCredential[" + name + "]";
    }
}
