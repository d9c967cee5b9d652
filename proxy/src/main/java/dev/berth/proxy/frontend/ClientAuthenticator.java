package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.backend.BackendInfo;
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

    record Accepted(UserCredential user, String plugin) implements Verdict {
    }

    record Denied() implements Verdict {
    }

    /** Ask the client to answer again with {@code plugin}. */
    record SwitchTo(String plugin) implements Verdict {
    }

    private final Map<String, UserCredential> users;
    private final String defaultPlugin;

    /** @param backend what the backend is, for {@link BerthConfig#AUTO_AUTH} */
    ClientAuthenticator(BerthConfig config, BackendInfo backend) {
        this.users = config.users();
        String configured = config.defaultAuthPlugin();
        this.defaultPlugin = !configured.equals(BerthConfig.AUTO_AUTH) ? configured
                : backend.defaultsToCachingSha2() ? CachingSha2Password.NAME : NativePassword.NAME;
    }

    String defaultPlugin() {
        return defaultPlugin;
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
            return check(user, used, response, seed) ? new Accepted(user, used) : new Denied();
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
