package dev.berth.proxy.backend;

import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import java.nio.charset.StandardCharsets;

/**
 * A server account a backend connection logs in as, with what Berth knows of its password: the password itself, or
 * only SHA1(password), learnt from a client's mysql_native_password login to an account Berth holds as a hash. The
 * latter answers mysql_native_password alone. Accounts are the same account when their names are.
 */
public final class BackendAccount {
    private final String user;
    private final byte[] password;
    private final byte[] stage1;

    private BackendAccount(String user, byte[] password, byte[] stage1) {
        this.user = user;
        this.password = password;
        this.stage1 = stage1;
    }

    public static BackendAccount withPassword(String user, String password) {
        return new BackendAccount(user, password.getBytes(StandardCharsets.UTF_8), null);
    }

    public static BackendAccount withStage1(String user, byte[] stage1) {
        return new BackendAccount(user, null, stage1);
    }

    public String user() {
        return user;
    }

    /** The auth response for {@code plugin} and the server's {@code seed}. */
    public byte[] scramble(String plugin, byte[] seed) {
        if (plugin.equals(CachingSha2Password.NAME)) {
            return CachingSha2Password.scramble(password(), seed);
        }
        return password != null ? NativePassword.scramble(password, seed)
                : NativePassword.scrambleFromStage1(stage1, seed);
    }

    /** The password in plain text, for the plugins that need it (caching_sha2's full authentication). */
    byte[] password() {
        if (password == null) {
            throw new IllegalStateException("Berth knows only the mysql_native_password hash of " + user
                    + "'s password, and the backend asks for another plugin; give the password in plain text "
                    + "(--user " + user + ":PASSWORD) or make the account use mysql_native_password");
        }
        return password;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendAccount other && other.user.equals(user);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return user;
    }
}
