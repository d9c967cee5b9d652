package dev.berth.proxy.frontend;

import static dev.berth.mysql.Golden.hex;
import static dev.berth.proxy.frontend.TestServers.ANON;
import static dev.berth.proxy.frontend.TestServers.APP;
import static dev.berth.proxy.frontend.TestServers.HASHED;
import static dev.berth.proxy.frontend.TestServers.MARIADB;
import static dev.berth.proxy.frontend.TestServers.MYSQL_8;
import static dev.berth.proxy.frontend.TestServers.NO_TLS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import dev.berth.config.UserCredential;
import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.proxy.backend.BackendAccount;
import dev.berth.proxy.backend.BackendInfo;
import dev.berth.proxy.frontend.ClientAuthenticator.Accepted;
import dev.berth.proxy.frontend.ClientAuthenticator.Denied;
import dev.berth.proxy.frontend.ClientAuthenticator.FullAuth;
import dev.berth.proxy.frontend.ClientAuthenticator.MoreData;
import dev.berth.proxy.frontend.ClientAuthenticator.SwitchTo;
import dev.berth.proxy.frontend.ClientAuthenticator.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/** Berth's verdict on logins, with responses known in advance for a fixed seed. */
class ClientAuthenticatorTest {
    private static final String NATIVE = "mysql_native_password";
    private static final String SHA2 = "caching_sha2_password";
    private static final String ED25519 = "client_ed25519";
    private static final byte[] NONE = new byte[0];

    /** 0x01..0x14, the seed of the vectors in protocol-mysql's NativePasswordTest and CachingSha2PasswordTest. */
    private static final byte[] SEED = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14");
    /** Another seed, as a later login would get: 0x02..0x15. */
    private static final byte[] OTHER_SEED = hex("02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15");

    /*
     * The clients' answers for the password "secret" to SEED, computed independently with python's hashlib:
     *   native: sha1(pw) XOR sha1(seed + sha1(sha1(pw)))
     *   sha2:   sha256(pw) XOR sha256(sha256(sha256(pw)) + seed)
     */
    private static final byte[] NATIVE_SECRET = hex("b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
    private static final byte[] SHA2_SECRET = hex("746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9");

    private static ClientAuthenticator authenticator(String defaultPlugin, BackendInfo backend) {
        return new ClientAuthenticator(TestServers.config(defaultPlugin, NO_TLS), backend);
    }

    private static final ClientAuthenticator NATIVE_DEFAULT = authenticator(NATIVE, MARIADB);
    private static final ClientAuthenticator SHA2_DEFAULT = authenticator(SHA2, MYSQL_8);

    /** Accounts compare by name: the account the backend connections of the login log in as. */
    private static Accepted accepted(UserCredential user, String plugin, boolean fastAuth) {
        return new Accepted(user, plugin, fastAuth, BackendAccount.withPassword(user.name(), ""));
    }

    private static byte[] flipped(byte[] response) {
        byte[] wrong = Arrays.copyOf(response, response.length);
        wrong[7] ^= 0x01;
        return wrong;
    }

    // ---- accepted and denied ----------------------------------------------------------------------------------

    @Test
    void nativeResponseLogsInWithAPlainOrAHashedPassword() {
        for (ClientAuthenticator auth : new ClientAuthenticator[] {NATIVE_DEFAULT, SHA2_DEFAULT}) {
            assertEquals(accepted(APP, NATIVE, false), auth.verify("app", NATIVE, NATIVE_SECRET, SEED, true, false));
            assertEquals(accepted(HASHED, NATIVE, false), auth.verify("hashed", NATIVE, NATIVE_SECRET, SEED, true, false));
            // After a switch the answer counts the same.
            assertEquals(accepted(HASHED, NATIVE, false), auth.verify("hashed", NATIVE, NATIVE_SECRET, SEED, false, false));
        }
    }

    /** Clients from before plugin auth name no plugin: their response is a native one. */
    @Test
    void noPluginNamedIsNative() {
        assertEquals(accepted(APP, NATIVE, false), SHA2_DEFAULT.verify("app", null, NATIVE_SECRET, SEED, true, false));
        assertEquals(new Denied(), SHA2_DEFAULT.verify("app", null, SHA2_SECRET, SEED, true, false));
    }

    @Test
    void cachingSha2ResponseLogsInWithAPlainPassword() {
        for (ClientAuthenticator auth : new ClientAuthenticator[] {NATIVE_DEFAULT, SHA2_DEFAULT}) {
            assertEquals(accepted(APP, SHA2, true), auth.verify("app", SHA2, SHA2_SECRET, SEED, true, false));
        }
    }

    @Test
    void wrongPasswordIsDenied() {
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", NATIVE, flipped(NATIVE_SECRET), SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("hashed", NATIVE, flipped(NATIVE_SECRET), SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", SHA2, flipped(SHA2_SECRET), SEED, true, false));
        // The right password, answered to another seed: a replay of an earlier login.
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", NATIVE, NATIVE_SECRET, OTHER_SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", SHA2, SHA2_SECRET, OTHER_SEED, true, false));
        // One plugin's response under the other's name.
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", SHA2, NATIVE_SECRET, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", NATIVE, SHA2_SECRET, SEED, true, false));
        // No password given to an account that has one.
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", NATIVE, NONE, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("hashed", NATIVE, NONE, SEED, true, false));
    }

    @Test
    void accountWithoutPasswordTakesOnlyAnEmptyResponse() {
        assertEquals(accepted(ANON, NATIVE, false), NATIVE_DEFAULT.verify("anon", NATIVE, NONE, SEED, true, false));
        assertEquals(accepted(ANON, SHA2, false), SHA2_DEFAULT.verify("anon", SHA2, NONE, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("anon", NATIVE, NATIVE_SECRET, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("anon", SHA2, SHA2_SECRET, SEED, true, false));
    }

    @Test
    void unknownUserIsDenied() {
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("nobody", NATIVE, NATIVE_SECRET, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("nobody", SHA2, SHA2_SECRET, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("nobody", NATIVE, NONE, SEED, true, false));
        // Names are exact.
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("APP", NATIVE, NATIVE_SECRET, SEED, true, false));
    }

    // ---- switching plugins ------------------------------------------------------------------------------------

    /** A {@code *HEX} hash can't check a caching_sha2 scramble, whatever the default: the client must answer native. */
    @Test
    void hashOnlyAccountSwitchesCachingSha2ClientsToNative() {
        assertEquals(new SwitchTo(NATIVE), NATIVE_DEFAULT.verify("hashed", SHA2, SHA2_SECRET, SEED, true, false));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("hashed", SHA2, SHA2_SECRET, SEED, true, false));
    }

    /** A plugin Berth doesn't verify (MariaDB's ed25519, say) is asked to switch to the default one. */
    @Test
    void foreignPluginSwitchesToTheDefault() {
        assertEquals(new SwitchTo(NATIVE), NATIVE_DEFAULT.verify("app", ED25519, hex("aa bb"), SEED, true, false));
        assertEquals(new SwitchTo(SHA2), SHA2_DEFAULT.verify("app", ED25519, hex("aa bb"), SEED, true, false));
        // ... unless the account can't be checked with the default: then native.
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("hashed", ED25519, hex("aa bb"), SEED, true, false));
    }

    /** An unknown user with a foreign plugin is switched as a known one would be, so the answers don't tell them apart. */
    @Test
    void unknownUserWithForeignPluginIsSwitchedLikeAKnownOne() {
        assertEquals(new SwitchTo(NATIVE), NATIVE_DEFAULT.verify("nobody", ED25519, hex("aa bb"), SEED, true, false));
        assertEquals(new SwitchTo(SHA2), SHA2_DEFAULT.verify("nobody", ED25519, hex("aa bb"), SEED, true, false));
    }

    /**
     * A client whose plugin is not the greeting's got no seed for it: libmariadb (the mariadb command line client with
     * {@code --default-auth}) then answers nothing and waits for a switch, as the server sends. Berth switches it to
     * the plugin it named, with a seed of its own, when that plugin can check the account; else to native.
     */
    @Test
    void emptyResponseForAnotherPluginThanTheGreetingsIsSwitched() {
        assertEquals(new SwitchTo(SHA2), NATIVE_DEFAULT.verify("app", SHA2, NONE, SEED, true, false));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("app", NATIVE, NONE, SEED, true, false));
        // Even an account without a password, whose empty answer would be right: the client waits for the switch.
        assertEquals(new SwitchTo(SHA2), NATIVE_DEFAULT.verify("anon", SHA2, NONE, SEED, true, false));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("anon", NATIVE, NONE, SEED, true, false));
        // A *HEX account can't check caching_sha2: native.
        assertEquals(new SwitchTo(NATIVE), NATIVE_DEFAULT.verify("hashed", SHA2, NONE, SEED, true, false));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("hashed", NATIVE, NONE, SEED, true, false));
        // Unknown users alike, so the answer tells nothing.
        assertEquals(new SwitchTo(SHA2), NATIVE_DEFAULT.verify("nobody", SHA2, NONE, SEED, true, false));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("nobody", NATIVE, NONE, SEED, true, false));
    }

    /** An empty answer under the greeting's own plugin, or after the switch, is a login without a password. */
    @Test
    void emptyResponseUnderTheSeedsPluginIsNoPassword() {
        assertEquals(accepted(ANON, SHA2, false), SHA2_DEFAULT.verify("anon", SHA2, NONE, SEED, true, false));
        assertEquals(accepted(ANON, SHA2, false), NATIVE_DEFAULT.verify("anon", SHA2, NONE, SEED, false, false));
        assertEquals(new Denied(), SHA2_DEFAULT.verify("app", SHA2, NONE, SEED, true, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", SHA2, NONE, SEED, false, false));
        // A client that names no plugin can't be switched: its empty answer counts as native.
        assertEquals(accepted(ANON, NATIVE, false), SHA2_DEFAULT.verify("anon", null, NONE, SEED, true, false));
    }

    /** One switch per login: an answer after it that still can't be verified is a denial, not another switch. */
    @Test
    void onlyOneSwitchPerLogin() {
        assertEquals(new Denied(), SHA2_DEFAULT.verify("hashed", SHA2, SHA2_SECRET, SEED, false, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("app", ED25519, hex("aa bb"), SEED, false, false));
        assertEquals(new Denied(), NATIVE_DEFAULT.verify("nobody", ED25519, hex("aa bb"), SEED, false, false));
    }

    /** Connector/J's answer for no password is one NUL: no password, and no fast-auth note after it. */
    @Test
    void oneNulIsNoPassword() {
        assertEquals(accepted(ANON, SHA2, false), SHA2_DEFAULT.verify("anon", SHA2, hex("00"), SEED, true, false));
        assertEquals(new Denied(), SHA2_DEFAULT.verify("app", SHA2, hex("00"), SEED, true, false));
    }

    // ---- full authentication (caching_sha2_password) ----------------------------------------------------------

    private static final KeyPair KEYS = RsaKeys.generate();
    private static final byte[] SECRET_NUL = hex("'secret' 00");

    private static ClientAuthenticator fullAuth(BackendInfo backend) {
        ClientAuthConfig auth = new ClientAuthConfig(BerthConfig.AUTO_AUTH, true, Optional.empty());
        BerthConfig config = TestServers.config(auth, NO_TLS);
        return new ClientAuthenticator(config, config.users(), backend, KEYS, null);
    }

    private static byte[] moreData(Verdict verdict) {
        return assertInstanceOf(MoreData.class, verdict).data();
    }

    /**
     * With --caching-sha2-full-auth every login is caching_sha2's full authentication, as to MySQL 8 accounts not yet
     * cached: every scramble, of any account, is answered "perform full authentication", every other plugin (MariaDB
     * Connector/J always answers native first) is switched to caching_sha2.
     */
    @Test
    void fullAuthMakesEveryLoginCachingSha2FullAuthentication() {
        ClientAuthenticator auth = fullAuth(MYSQL_8);
        for (String user : new String[] {"app", "hashed", "nobody"}) {
            assertEquals(new FullAuth(), auth.verify(user, SHA2, SHA2_SECRET, SEED, true, false), user);
            assertEquals(new FullAuth(), auth.verify(user, SHA2, SHA2_SECRET, SEED, true, true), user);
            assertEquals(new SwitchTo(SHA2), auth.verify(user, NATIVE, NATIVE_SECRET, SEED, true, false), user);
            assertEquals(new SwitchTo(SHA2), auth.verify(user, null, NATIVE_SECRET, SEED, true, false), user);
            assertEquals(new SwitchTo(SHA2), auth.verify(user, ED25519, hex("aa bb"), SEED, true, false), user);
            // No second switch.
            assertEquals(new Denied(), auth.verify(user, NATIVE, NATIVE_SECRET, SEED, false, false), user);
        }
        // No password is checked at once, as the server does.
        assertEquals(accepted(ANON, SHA2, false), auth.verify("anon", SHA2, NONE, SEED, true, false));
        // auto greets with caching_sha2 then, whatever the backend.
        assertEquals(SHA2, fullAuth(MARIADB).defaultPlugin());
    }

    /** Without the flag a *HEX account can't take caching_sha2 at all: switched to native, as before. */
    @Test
    void withoutFullAuthAHashOnlyAccountIsStillSwitchedToNative() {
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("hashed", SHA2, SHA2_SECRET, SEED, true, true));
        assertEquals(new SwitchTo(NATIVE), SHA2_DEFAULT.verify("hashed", SHA2, SECRET_NUL, SEED, true, true));
    }

    /** Over TLS: "perform full authentication", then the password in clear, NUL-terminated; OK with no note. */
    @Test
    void fullAuthOverTls() {
        for (String user : new String[] {"app", "hashed"}) {
            ClientAuthenticator auth = fullAuth(MYSQL_8);
            assertArrayEquals(hex("04"), moreData(auth.start(user, SHA2, SHA2_SECRET, SEED, true)));
            Verdict verdict = auth.next(SECRET_NUL);
            assertEquals(SHA2, assertInstanceOf(Accepted.class, verdict).plugin());
            assertFalse(((Accepted) verdict).fastAuth());
            assertEquals(user, ((Accepted) verdict).user().name());

            auth = fullAuth(MYSQL_8);
            auth.start(user, SHA2, SHA2_SECRET, SEED, true);
            assertEquals(new Denied(), auth.next(hex("'Secret' 00")));
        }
        ClientAuthenticator auth = fullAuth(MYSQL_8);
        auth.start("nobody", SHA2, SHA2_SECRET, SEED, true);
        assertEquals(new Denied(), auth.next(SECRET_NUL));
    }

    /** Without TLS: the public key on request (0x02), then the password RSA-OAEP encrypted, XOR the seed. */
    @Test
    void fullAuthWithTheRsaKey() {
        ClientAuthenticator auth = fullAuth(MYSQL_8);
        assertArrayEquals(hex("04"), moreData(auth.start("hashed", SHA2, SHA2_SECRET, SEED, false)));
        byte[] pem = moreData(auth.next(hex("02  # request public key")));
        PublicKey key = RsaKeys.parsePem(pem);
        assertArrayEquals(KEYS.getPublic().getEncoded(), key.getEncoded());
        assertEquals(accepted(HASHED, SHA2, false), auth.next(encrypt("secret", SEED, key)));

        // A client that has the key already (Connector/J's serverRSAPublicKeyFile) sends the password at once.
        auth = fullAuth(MYSQL_8);
        auth.start("app", SHA2, SHA2_SECRET, SEED, false);
        assertEquals(accepted(APP, SHA2, false), auth.next(encrypt("secret", SEED, KEYS.getPublic())));

        // The wrong password, the wrong seed, garbage, a cleartext password without TLS: denied.
        for (byte[] wrong : new byte[][] {encrypt("Secret", SEED, KEYS.getPublic()),
                encrypt("secret", OTHER_SEED, KEYS.getPublic()), new byte[256], SECRET_NUL}) {
            auth = fullAuth(MYSQL_8);
            auth.start("app", SHA2, SHA2_SECRET, SEED, false);
            assertEquals(new Denied(), auth.next(wrong));
        }
        // The key is sent once.
        auth = fullAuth(MYSQL_8);
        auth.start("app", SHA2, SHA2_SECRET, SEED, false);
        moreData(auth.next(hex("02")));
        assertEquals(new Denied(), auth.next(hex("02")));
    }

    /** Connector/J pads with PKCS#1 v1.5 toward a version it reads older than 8.0.5: taken only then. */
    @Test
    void pkcs1PaddingOnlyBehindAVersionOlderThan805() throws Exception {
        Cipher pkcs1 = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        pkcs1.init(Cipher.ENCRYPT_MODE, KEYS.getPublic());
        byte[] masked = SECRET_NUL.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= SEED[i];
        }
        byte[] encrypted = pkcs1.doFinal(masked);

        ClientAuthenticator behindMariadb = fullAuth(MARIADB);
        behindMariadb.start("app", SHA2, SHA2_SECRET, SEED, false);
        assertEquals(accepted(APP, SHA2, false), behindMariadb.next(encrypted));

        ClientAuthenticator behindMysql8 = fullAuth(MYSQL_8);
        behindMysql8.start("app", SHA2, SHA2_SECRET, SEED, false);
        assertEquals(new Denied(), behindMysql8.next(encrypted));
    }

    /** After a switch to caching_sha2, full authentication masks the password with the switch's seed. */
    @Test
    void fullAuthAfterASwitchUsesTheSwitchsSeed() {
        ClientAuthenticator auth = fullAuth(MYSQL_8);
        assertEquals(new SwitchTo(SHA2), auth.start("app", ED25519, hex("aa bb"), SEED, false));
        byte[] switchSeed = auth.seed();
        assertFalse(Arrays.equals(SEED, switchSeed));
        assertArrayEquals(hex("04"), moreData(auth.next(CachingSha2Password.scramble(utf8("secret"), switchSeed))));
        assertEquals(accepted(APP, SHA2, false), auth.next(encrypt("secret", switchSeed, KEYS.getPublic())));
    }

    /**
     * A client that insists on full authentication sends its password right away over TLS (libmariadb 3.4's
     * caching_sha2 plugin does): checked as the password itself, with or without the flag.
     */
    @Test
    void cleartextPasswordAtOnceOverTls() {
        for (ClientAuthenticator auth : new ClientAuthenticator[] {SHA2_DEFAULT, NATIVE_DEFAULT, fullAuth(MYSQL_8)}) {
            assertEquals(accepted(APP, SHA2, false), auth.verify("app", SHA2, SECRET_NUL, SEED, true, true));
            assertEquals(new Denied(), auth.verify("app", SHA2, hex("'Secret' 00"), SEED, true, true));
            assertEquals(new Denied(), auth.verify("nobody", SHA2, SECRET_NUL, SEED, true, true));
        }
        assertEquals(accepted(HASHED, SHA2, false),
                fullAuth(MYSQL_8).verify("hashed", SHA2, SECRET_NUL, SEED, true, true));
        // Not without TLS, where it would be a scramble: a wrong one.
        assertEquals(new Denied(), SHA2_DEFAULT.verify("app", SHA2, SECRET_NUL, SEED, true, false));
    }

    private static byte[] encrypt(String password, byte[] seed, PublicKey key) {
        return CachingSha2Password.encryptPassword(utf8(password), seed, key);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- how the client reads auth data -----------------------------------------------------------------------

    /** Connector/J reads AuthMoreData without its header from a server that reads older than 5.5.16 (MariaDB's 5.5.5-). */
    @Test
    void connectorJGetsAuthMoreDataWithoutHeaderBehindAnOldVersion() {
        Map<String, String> connectorJ = Map.of("_client_name", "MySQL Connector/J", "_client_version", "9.1.0");
        ClientAuthenticator behindMariadb = authenticator(SHA2, MARIADB);
        behindMariadb.clientAttributes(connectorJ);
        assertTrue(behindMariadb.moreDataWithoutHeader());

        ClientAuthenticator behindMysql8 = authenticator(SHA2, MYSQL_8);
        behindMysql8.clientAttributes(connectorJ);
        assertFalse(behindMysql8.moreDataWithoutHeader());

        ClientAuthenticator mariadbClient = authenticator(SHA2, MARIADB);
        mariadbClient.clientAttributes(Map.of("_client_name", "libmariadb"));
        assertFalse(mariadbClient.moreDataWithoutHeader());
        mariadbClient.clientAttributes(Map.of());
        assertFalse(mariadbClient.moreDataWithoutHeader());
    }

    @Test
    void versionsReadAsDriversReadThem() {
        assertTrue(ClientAuthenticator.readsOlderThan("5.5.5-10.11.19-MariaDB-0+deb12u1", 5, 5, 16));
        assertTrue(ClientAuthenticator.readsOlderThan("5.5.5-10.11.19-MariaDB-0+deb12u1", 8, 0, 5));
        assertFalse(ClientAuthenticator.readsOlderThan("5.5.16", 5, 5, 16));
        assertFalse(ClientAuthenticator.readsOlderThan("8.0.40", 5, 5, 16));
        assertTrue(ClientAuthenticator.readsOlderThan("8.0.4-rc-log", 8, 0, 5));
        assertFalse(ClientAuthenticator.readsOlderThan("11.4.2-MariaDB", 8, 0, 5));
        assertTrue(ClientAuthenticator.readsOlderThan("", 5, 5, 16));
    }

    // ---- the plugin in Berth's greeting -----------------------------------------------------------------------

    /** {@code auto} offers what the backend would: native for MariaDB (which says 5.5.5-) and MySQL 5.7. */
    @Test
    void autoDefaultFollowsTheBackend() {
        assertEquals(NATIVE, authenticator(BerthConfig.AUTO_AUTH, MARIADB).defaultPlugin());
        assertEquals(SHA2, authenticator(BerthConfig.AUTO_AUTH, MYSQL_8).defaultPlugin());
        assertEquals(SHA2, authenticator(BerthConfig.AUTO_AUTH, new BackendInfo("9.1.0", 255, 0)).defaultPlugin());
        assertEquals(NATIVE, authenticator(BerthConfig.AUTO_AUTH, new BackendInfo("5.7.44-log", 45, 0)).defaultPlugin());
        // A MariaDB 11 says so in its version even without the 5.5.5- prefix.
        assertEquals(NATIVE, authenticator(BerthConfig.AUTO_AUTH, new BackendInfo("11.4.2-MariaDB", 45, 0)).defaultPlugin());
    }

    @Test
    void configuredDefaultWinsOverTheBackend() {
        assertEquals(NATIVE, authenticator(NATIVE, MYSQL_8).defaultPlugin());
        assertEquals(SHA2, authenticator(SHA2, MARIADB).defaultPlugin());
    }

    /**
     * Each client acts on the backend as its own account: a login proves enough to log in there too, even for an
     * account Berth holds only as a native hash (SHA1(password) comes out of the login).
     */
    @Test
    void anAcceptedLoginCarriesWhatTheBackendLoginNeeds() {
        for (String user : new String[] {"app", "hashed"}) {
            Accepted accepted = (Accepted) NATIVE_DEFAULT.verify(user, NATIVE, NATIVE_SECRET, SEED, true, false);
            assertArrayEquals(dev.berth.mysql.auth.NativePassword.scramble(
                            "secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), OTHER_SEED),
                    accepted.backendAccount().scramble(NATIVE, OTHER_SEED), user);
        }
    }
}
