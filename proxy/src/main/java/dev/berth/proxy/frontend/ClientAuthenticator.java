package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.backend.BackendInfo;
import java.util.Arrays;
import java.util.Map;

/**
 * Decides a client's login against Berth's own accounts, as the server does: verify with the plugin the client
 * used when the account can be checked with it, otherwise ask the client to switch plugins.
 *
 * <p>An account given as a {@code *HEX} native hash can only verify mysql_native_password; one with a plain-text
 * password can verify both plugins.
 */
final class ClientAuthenticator {
    /** What to do with an auth response. */
    sealed interface Verdict {
    }

    /**
     * @param fastAuth a caching_sha2_password scramble was checked: the server tells the client so (AuthMoreData
     *                 {@link CachingSha2Password#FAST_AUTH_SUCCESS}) before the OK; not for an empty password
     */
    record Accepted(UserCredential user, String plugin, boolean fastAuth) implements Verdict {
    }

    record Denied() implements Verdict {
    }

    /** Ask the client to answer again with {@code plugin}. */
    record SwitchTo(String plugin) implements Verdict {
    }

    private final Map<String, UserCredential> users;
    private final String defaultPlugin;
    private final String serverVersion;
    private boolean moreDataWithoutHeader;

    /** @param backend what the backend is, for {@link BerthConfig#AUTO_AUTH}; the greeting shows its version */
    ClientAuthenticator(BerthConfig config, BackendInfo backend) {
        this.users = config.users();
        this.serverVersion = backend.serverVersion();
        String configured = config.defaultAuthPlugin();
        this.defaultPlugin = !configured.equals(BerthConfig.AUTO_AUTH) ? configured
                : backend.defaultsToCachingSha2() ? CachingSha2Password.NAME : NativePassword.NAME;
    }

    String defaultPlugin() {
        return defaultPlugin;
    }

    /** What the client said it is, in its handshake response's connection attributes. */
    void clientAttributes(Map<String, String> attributes) {
        String name = attributes.get("_client_name");
        // Connector/J (5.1 called itself "MySQL Connector Java") reads auth data as a server before 5.5.16 sent it,
        // without AuthMoreData's header, when the version reads older: MariaDB's "5.5.5-10.11..." reads as 5.5.5.
        boolean connectorJ = "MySQL Connector/J".equals(name) || "MySQL Connector Java".equals(name);
        moreDataWithoutHeader = connectorJ && readsOlderThan(serverVersion, 5, 5, 16);
    }

    /** Whether AuthMoreData goes to this client without its 0x01 header (see {@link #clientAttributes}). */
    boolean moreDataWithoutHeader() {
        return moreDataWithoutHeader;
    }

    /** Whether {@code version} is older than major.minor.patch, read as drivers do: the leading numbers only. */
    static boolean readsOlderThan(String version, int major, int minor, int patch) {
        int[] parts = new int[3];
        int part = 0;
        for (int i = 0; i < version.length() && part < 3; i++) {
            char c = version.charAt(i);
            if (c >= '0' && c <= '9') {
                parts[part] = Math.min(parts[part] * 10 + (c - '0'), 100_000);
            } else if (c == '.') {
                part++;
            } else {
                break;
            }
        }
        return Arrays.compare(parts, new int[] {major, minor, patch}) < 0;
    }

    /**
     * @param plugin   the plugin the client used (null: mysql_native_password, as pre-plugin clients do)
     * @param mayRetry whether a switch may still be requested (only once per login)
     */
    Verdict verify(String userName, String plugin, byte[] response, byte[] seed, boolean mayRetry) {
        UserCredential user = users.get(userName);
        String used = plugin == null ? NativePassword.NAME : plugin;
        // A client whose plugin is not the greeting's had no seed for it: libmariadb then answers nothing and waits
        // for the switch a server sends (its plugin reads the switch's seed as its first packet). Accepting the empty
        // answer, even for an account without a password, would leave it reading the OK as a seed.
        boolean awaitsSwitch = mayRetry && plugin != null && response.length == 0 && !plugin.equals(defaultPlugin);
        if (user == null) {
            // Unknown users are switched as known ones would be, so a denial looks the same either way.
            return mayRetry && (awaitsSwitch || !canVerify(used))
                    ? new SwitchTo(canVerify(used) ? used : defaultPlugin) : new Denied();
        }
        if (canVerify(user, used) && !awaitsSwitch) {
            return check(user, used, response, seed)
                    ? new Accepted(user, used, used.equals(CachingSha2Password.NAME)
                            && !CachingSha2Password.isNoPassword(response))
                    : new Denied();
        }
        if (!mayRetry) {
            return new Denied();
        }
        if (canVerify(user, used)) {
            return new SwitchTo(used);
        }
        return new SwitchTo(canVerify(user, defaultPlugin) ? defaultPlugin : NativePassword.NAME);
    }

    private static boolean canVerify(String plugin) {
        return plugin.equals(NativePassword.NAME) || plugin.equals(CachingSha2Password.NAME);
    }

    private static boolean canVerify(UserCredential user, String plugin) {
        return plugin.equals(NativePassword.NAME)
                || (plugin.equals(CachingSha2Password.NAME) && user.password().isPresent());
    }

    private static boolean check(UserCredential user, String plugin, byte[] response, byte[] seed) {
        if (plugin.equals(CachingSha2Password.NAME)) {
            return CachingSha2Password.verify(response, seed, user.password().orElseThrow());
        }
        byte[] doubleHash = user.nativeHash().orElseGet(() -> NativePassword.doubleHash(user.password().orElseThrow()));
        return NativePassword.verify(response, seed, doubleHash);
    }
}
