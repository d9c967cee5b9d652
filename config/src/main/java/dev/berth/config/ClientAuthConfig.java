package dev.berth.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How Berth authenticates clients.
 *
 * @param defaultPlugin       the plugin named in Berth's greeting: {@link BerthConfig#MYSQL_NATIVE_PASSWORD},
 *                            {@link BerthConfig#CACHING_SHA2_PASSWORD} or {@link BerthConfig#AUTO_AUTH}
 * @param cachingSha2FullAuth every login is caching_sha2_password's full authentication, as to MySQL 8 accounts not
 *                            yet cached: clients answering with another plugin are switched to it, and every
 *                            scramble is answered "perform full authentication"; the client then sends its password
 *                            itself, over TLS or RSA-encrypted, which also {@code *HEX} accounts can check
 * @param rsaKey              PEM private key whose public half clients encrypt their password with in full
 *                            authentication without TLS; empty: a key generated at start
 */
public record ClientAuthConfig(String defaultPlugin, boolean cachingSha2FullAuth, Optional<Path> rsaKey) {
    public ClientAuthConfig {
        if (!defaultPlugin.equals(BerthConfig.MYSQL_NATIVE_PASSWORD)
                && !defaultPlugin.equals(BerthConfig.CACHING_SHA2_PASSWORD)
                && !defaultPlugin.equals(BerthConfig.AUTO_AUTH)) {
            throw new IllegalArgumentException("--default-auth must be " + BerthConfig.AUTO_AUTH + ", "
                    + BerthConfig.MYSQL_NATIVE_PASSWORD + " or " + BerthConfig.CACHING_SHA2_PASSWORD + ", got "
                    + defaultPlugin);
        }
        if (rsaKey.isPresent() && !cachingSha2FullAuth) {
            throw new IllegalArgumentException("--rsa-key is used only with --caching-sha2-full-auth");
        }
    }

    /** The greeting's plugin and nothing else: fast authentication, no RSA key. */
    public static ClientAuthConfig of(String defaultPlugin) {
        return new ClientAuthConfig(defaultPlugin, false, Optional.empty());
    }
}
