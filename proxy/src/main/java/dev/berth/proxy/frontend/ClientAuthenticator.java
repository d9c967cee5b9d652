package dev.berth.proxy.frontend;

import dev.berth.config.BerthConfig;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.mysql.auth.Scrambles;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendInfo;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;

/**
 * Decides a client's login against Berth's own accounts, as the server does: verify with the plugin the client
 * used when the account can be checked with it, otherwise ask the client to switch plugins. One instance per client
 * connection, from its greeting on; it holds the exchange of the login (or COM_CHANGE_USER) in progress.
 *
 * <p>An account given as a {@code *HEX} native hash can only verify mysql_native_password; one with a plain-text
 * password can verify both plugins. With {@code --caching-sha2-full-auth} every login is caching_sha2_password's full
 * authentication, as to MySQL 8 accounts not yet cached: other plugins are switched to it, and the password the client
 * then sends itself, over TLS or RSA-encrypted, is checked against either kind of account.
 */
final class ClientAuthenticator {
    /** What to do with an auth response. */
    sealed interface Verdict {
    }

    /**
     * @param fastAuth a caching_sha2_password scramble was checked: the server tells the client so (AuthMoreData
     *                 {@link CachingSha2Password#FAST_AUTH_SUCCESS}) before the OK; not for an empty password, nor
     *                 after full authentication
     */
    record Accepted(UserCredential user, String plugin, boolean fastAuth, BackendAccount backendAccount)
            implements Verdict {
    }

    record Denied() implements Verdict {
    }

    /** Ask the client to answer again with {@code plugin}, to the new seed {@link #seed()}. */
    record SwitchTo(String plugin) implements Verdict {
    }

    /** caching_sha2_password: ask the client for the password itself (over TLS, or RSA-encrypted). */
    record FullAuth() implements Verdict {
    }

    /**
     * No account of Berth's knows the user, or its password did not match what was learnt: the server decides, by a
     * backend login with the password the client gave in full authentication.
     */
    record ServerCheck(String user, byte[] password) implements Verdict {
    }

    /** Send AuthMoreData with {@code data} and wait for the client's next packet. */
    record MoreData(byte[] data) implements Verdict {
    }

    private enum Stage { NONE, SWITCHED, FULL_AUTH, KEY_SENT }

    /** caching_sha2_password's scramble: a SHA-256. */
    private static final int SCRAMBLE_LENGTH = 32;

    private final Map<String, UserCredential> users;
    private final String defaultPlugin;
    private final String serverVersion;
    /** Logins that can't be checked by a scramble go to full authentication. */
    private final boolean fullAuth;
    /** --caching-sha2-full-auth: every login goes to full authentication, even one whose scramble would do. */
    private final boolean everyLoginInFull;
    /** Berth has no accounts: the server verifies logins ({@link ServerCheck}), remembered in {@link #learnt}. */
    private final LearntAccounts learnt;
    private final KeyPair rsaKeys;
    private boolean moreDataWithoutHeader;

    // The login in progress.
    private Stage stage = Stage.NONE;
    private String userName;
    private String plugin;
    private byte[] seed;
    private boolean secure;

    /** Without an RSA key: full authentication works over TLS only. */
    ClientAuthenticator(BerthConfig config, BackendInfo backend) {
        this(config, config.users(), backend, null, null);
    }

    /**
     * @param users   the client accounts now: the configuration's, or what a RELOAD read since
     * @param backend what the backend is, for {@link BerthConfig#AUTO_AUTH}; the greeting shows its version
     * @param rsaKeys the key pair for caching_sha2_password's full authentication without TLS, or null
     * @param learnt  the accounts the server verified, when the server verifies logins; else null
     */
    ClientAuthenticator(BerthConfig config, Map<String, UserCredential> users, BackendInfo backend, KeyPair rsaKeys,
                        LearntAccounts learnt) {
        this.users = users;
        this.serverVersion = backend.serverVersion();
        this.learnt = config.serverVerifiesLogins() ? learnt : null;
        // Logins the server verifies go through full authentication: it is what gives Berth the password.
        this.everyLoginInFull = config.clientAuth().cachingSha2FullAuth();
        this.fullAuth = everyLoginInFull || this.learnt != null;
        this.rsaKeys = rsaKeys;
        String configured = config.clientAuth().defaultPlugin();
        this.defaultPlugin = !configured.equals(BerthConfig.AUTO_AUTH) ? configured
                : fullAuth || backend.defaultsToCachingSha2() ? CachingSha2Password.NAME : NativePassword.NAME;
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

    // ---- the exchange -----------------------------------------------------------------------------------------

    /**
     * A login or COM_CHANGE_USER begins: the client's first auth response, to the greeting's seed.
     *
     * @param plugin the plugin the client named (null: mysql_native_password, as pre-plugin clients do)
     * @param secure the connection is TLS or a unix socket, where caching_sha2_password takes the password in clear
     */
    Verdict start(String user, String plugin, byte[] response, byte[] seed, boolean secure) {
        this.userName = user;
        this.plugin = plugin;
        this.seed = seed;
        this.secure = secure;
        return advance(verify(user, plugin, response, seed, true, secure));
    }

    /** The client's next packet: its answer to a {@link SwitchTo}, a {@link FullAuth} or a {@link MoreData}. */
    Verdict next(byte[] packet) {
        return switch (stage) {
            case SWITCHED -> advance(verify(userName, plugin, packet, seed, false, secure));
            case FULL_AUTH, KEY_SENT -> advance(fullAuthentication(packet));
            case NONE -> new Denied();
        };
    }

    /** The seed of the switch just asked for. */
    byte[] seed() {
        return seed;
    }

    private Verdict advance(Verdict verdict) {
        if (verdict instanceof SwitchTo switchTo) {
            plugin = switchTo.plugin();
            seed = Scrambles.newSeed();
            stage = Stage.SWITCHED;
        } else if (verdict instanceof FullAuth) {
            stage = Stage.FULL_AUTH;
            return new MoreData(new byte[] {CachingSha2Password.PERFORM_FULL_AUTHENTICATION});
        } else if (!(verdict instanceof MoreData)) {
            stage = Stage.NONE;
        }
        return verdict;
    }

    /**
     * After "perform full authentication": the password in clear on a secure connection; otherwise the public key
     * asked for (once), then the password RSA-encrypted with it, XOR the seed.
     */
    private Verdict fullAuthentication(byte[] packet) {
        if (packet.length == 1 && packet[0] == CachingSha2Password.REQUEST_PUBLIC_KEY) {
            // A cleartext password is NUL-terminated, so this one byte is never one.
            if (stage == Stage.KEY_SENT || rsaKeys == null) {
                return new Denied();
            }
            stage = Stage.KEY_SENT;
            return new MoreData(RsaKeys.toPem(rsaKeys.getPublic()).getBytes(StandardCharsets.US_ASCII));
        }
        byte[] password;
        if (secure) {
            password = withoutNul(packet);
        } else if (rsaKeys == null) {
            return new Denied();
        } else {
            try {
                password = decrypt(packet);
            } catch (IllegalArgumentException e) {
                return new Denied();
            }
        }
        UserCredential user = account(userName);
        if (user != null && matches(user, password)) {
            return new Accepted(user, CachingSha2Password.NAME, false, withPassword(user, password));
        }
        return learnt != null ? new ServerCheck(userName, password) : new Denied();
    }

    private byte[] decrypt(byte[] encrypted) {
        try {
            return CachingSha2Password.decryptPassword(encrypted, seed, rsaKeys.getPrivate());
        } catch (IllegalArgumentException e) {
            // Connector/J pads as for sha256_password before MySQL 8.0.5 when the version reads older (MariaDB's
            // 5.5.5-). Only then is PKCS#1 v1.5 tried; a wrong padding and a wrong password get the same 1045.
            if (!readsOlderThan(serverVersion, 8, 0, 5)) {
                throw e;
            }
            return CachingSha2Password.decryptPasswordPkcs1(encrypted, seed, rsaKeys.getPrivate());
        }
    }

    // ---- the decision on one response -------------------------------------------------------------------------

    /**
     * @param plugin   the plugin the client used (null: mysql_native_password, as pre-plugin clients do)
     * @param mayRetry whether a switch may still be requested (only once per login)
     * @param secure   the connection is TLS or a unix socket
     */
    Verdict verify(String userName, String plugin, byte[] response, byte[] seed, boolean mayRetry, boolean secure) {
        UserCredential user = account(userName);
        String used = plugin == null ? NativePassword.NAME : plugin;
        if (fullAuth && !used.equals(CachingSha2Password.NAME)) {
            // Every login is caching_sha2's full authentication, as a MySQL 8 server switches a client whose plugin
            // is not the account's; the same for unknown users.
            return mayRetry ? new SwitchTo(CachingSha2Password.NAME) : new Denied();
        }
        // A client whose plugin is not the greeting's had no seed for it: libmariadb then answers nothing and waits
        // for the switch a server sends (its plugin reads the switch's seed as its first packet). Accepting the empty
        // answer, even for an account without a password, would leave it reading the OK as a seed.
        boolean awaitsSwitch = mayRetry && plugin != null && response.length == 0 && !plugin.equals(defaultPlugin);
        if (user == null) {
            // Unknown users are switched, and asked for full authentication, as known ones would be, so a denial
            // looks the same either way.
            if (mayRetry && (awaitsSwitch || !canVerify(used))) {
                return new SwitchTo(canVerify(used) ? used : defaultPlugin);
            }
            return used.equals(CachingSha2Password.NAME) ? checkCachingSha2(null, response, seed, secure)
                    : new Denied();
        }
        if (canVerify(user, used) && !awaitsSwitch) {
            if (used.equals(CachingSha2Password.NAME)) {
                return checkCachingSha2(user, response, seed, secure);
            }
            byte[] doubleHash = user.nativeHash()
                    .orElseGet(() -> NativePassword.doubleHash(user.password().orElseThrow()));
            if (!NativePassword.verify(response, seed, doubleHash)) {
                return new Denied();
            }
            // Known by its hash alone, the login itself yields SHA1(password): enough to log in natively as the account.
            BackendAccount account = user.password().isPresent() ? withPassword(user, user.password().get())
                    : BackendAccount.withStage1(user.name(), NativePassword.recoverStage1(response, seed, doubleHash));
            return new Accepted(user, used, false, account);
        }
        if (!mayRetry) {
            return new Denied();
        }
        if (canVerify(user, used)) {
            return new SwitchTo(used);
        }
        return new SwitchTo(canVerify(user, defaultPlugin) ? defaultPlugin : NativePassword.NAME);
    }

    /** A caching_sha2_password response: no password, the password itself over TLS, or a scramble. */
    private Verdict checkCachingSha2(UserCredential user, byte[] response, byte[] seed, boolean secure) {
        if (CachingSha2Password.isNoPassword(response)) {
            // As the server: an empty answer is checked at once, never sent to full authentication.
            if (user != null && user.password().map(p -> p.length == 0).orElse(false)) {
                return new Accepted(user, CachingSha2Password.NAME, false, withPassword(user, new byte[0]));
            }
            return learnt != null ? new ServerCheck(userName, new byte[0]) : new Denied();
        }
        // A client that insists on full authentication sends its password right away over TLS, NUL-terminated
        // (libmariadb 3.4). Anything but 32 bytes can't be a scramble; 32 bytes ending in NUL may be either.
        boolean cleartext = secure && response[response.length - 1] == 0;
        if (cleartext && user != null && matches(user, withoutNul(response))) {
            return new Accepted(user, CachingSha2Password.NAME, false, withPassword(user, withoutNul(response)));
        }
        if (cleartext && response.length != SCRAMBLE_LENGTH) {
            return learnt != null ? new ServerCheck(userName, withoutNul(response)) : new Denied();
        }
        boolean scrambleMatches = user != null && user.password().isPresent()
                && CachingSha2Password.verify(response, seed, user.password().get());
        if (scrambleMatches && !everyLoginInFull) {
            // Also an account the server verified before: its password is known, so the fast path holds.
            return new Accepted(user, CachingSha2Password.NAME, true, withPassword(user, user.password().get()));
        }
        return fullAuth ? new FullAuth() : new Denied();
    }

    /** Berth's own account of that name, else one the server verified before; null when neither. */
    private UserCredential account(String name) {
        UserCredential own = users.get(name);
        return own != null || learnt == null ? own : learnt.get(name);
    }

    private static boolean canVerify(String plugin) {
        return plugin.equals(NativePassword.NAME) || plugin.equals(CachingSha2Password.NAME);
    }

    /** A *HEX account checks caching_sha2_password only from the password itself, in full authentication. */
    private boolean canVerify(UserCredential user, String plugin) {
        return plugin.equals(NativePassword.NAME)
                || (plugin.equals(CachingSha2Password.NAME) && (user.password().isPresent() || fullAuth));
    }

    /** The password itself, against the account's plain password or its native hash; constant time. */
    private static boolean matches(UserCredential user, byte[] password) {
        if (user.password().isPresent()) {
            return MessageDigest.isEqual(password, user.password().get());
        }
        return MessageDigest.isEqual(NativePassword.doubleHash(password), user.nativeHash().orElseThrow());
    }

    /** The account as Berth logs in to the backend with it, the password being proved. */
    private static BackendAccount withPassword(UserCredential user, byte[] password) {
        return BackendAccount.withPassword(user.name(), new String(password, StandardCharsets.UTF_8));
    }

    private static byte[] withoutNul(byte[] cleartext) {
        int length = cleartext.length;
        return length > 0 && cleartext[length - 1] == 0 ? Arrays.copyOf(cleartext, length - 1) : cleartext;
    }
}
