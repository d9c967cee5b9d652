package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendInfo;
import java.nio.charset.StandardCharsets;
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

    /** @param backendAccount the account as Berth can log in to the backend with it */
    record Accepted(UserCredential user, String plugin, BackendAccount backendAccount) implements Verdict {
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
        if (user == null) {
            // Unknown users still get a switch when their plugin is foreign, so a denial looks the same either way.
            return mayRetry && !canVerify(used) ? new SwitchTo(defaultPlugin) : new Denied();
        }
        if (canVerify(user, used)) {
            BackendAccount account = check(user, used, response, seed);
            return account != null ? new Accepted(user, used, account) : new Denied();
        }
        if (!mayRetry) {
            return new Denied();
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

    /** The backend account of a login that proved its password, or null. */
    private static BackendAccount check(UserCredential user, String plugin, byte[] response, byte[] seed) {
        if (user.password().isPresent()) {
            byte[] password = user.password().get();
            boolean proved = plugin.equals(CachingSha2Password.NAME)
                    ? CachingSha2Password.verify(response, seed, password)
                    : NativePassword.verifyPlain(response, seed, password);
            return proved ? BackendAccount.withPassword(user.name(), new String(password, StandardCharsets.UTF_8))
                    : null;
        }
        // Known by its hash alone: the login itself yields SHA1(password), enough to log in natively as the account.
        byte[] stage1 = NativePassword.recoverStage1(response, seed, user.nativeHash().orElseThrow());
        return stage1 == null ? null : BackendAccount.withStage1(user.name(), stage1);
    }
}
