package dev.berth.config;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A client account Berth authenticates itself. The password is either in plain text (any auth plugin can be
 * verified) or given as the MySQL native hash {@code *HEX} = SHA1(SHA1(password)), which verifies only
 * mysql_native_password logins but stores no plain text. A plain password therefore cannot start with {@code *}.
 */
public record UserCredential(String name, Optional<byte[]> password, Optional<byte[]> nativeHash) {

    private static final Pattern NATIVE_HASH = Pattern.compile("\\*[0-9A-Fa-f]{40}");

    public UserCredential {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a user needs a name: write name:password");
        }
        if (password.isEmpty() && nativeHash.isEmpty()) {
            throw new IllegalArgumentException("user '" + name + "' needs a password or a *HEX native hash");
        }
    }

    /**
     * Parses {@code name:password} or {@code name:*HEX} (40 hex digits after the star).
     *
     * @throws NotAHashException when the secret starts with {@code *} but is not a hash: most likely a mistyped
     *                           one, which must not become the plain password
     */
    public static UserCredential parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("user '" + spec + "' must be written name:password or name:*HEX");
        }
        String name = spec.substring(0, colon);
        String secret = spec.substring(colon + 1);
        if (!secret.startsWith("*")) {
            return new UserCredential(name, Optional.of(secret.getBytes(StandardCharsets.UTF_8)), Optional.empty());
        }
        if (!NATIVE_HASH.matcher(secret).matches()) {
            throw new NotAHashException(name);
        }
        return new UserCredential(name, Optional.empty(), Optional.of(HexFormat.of().parseHex(secret.substring(1))));
    }

    @Override
    public String toString() {
        return "UserCredential[" + name + "]";
    }

    /** A secret that starts with {@code *} but is not a native hash. The message names the user, never the secret. */
    public static final class NotAHashException extends IllegalArgumentException {
        NotAHashException(String name) {
            super("user '" + name + "': a password starting with * must be a mysql_native_password hash, * and 40 hex"
                    + " digits; a plain password cannot start with *, which marks a hash");
        }
    }
}
