package dev.berth.mysql.auth;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * {@code caching_sha2_password}, the MySQL 8 default.
 *
 * <p>Fast path: the client sends {@code SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + seed)} and the server
 * answers AuthMoreData {@link #FAST_AUTH_SUCCESS} if the account's hash is cached. Otherwise it answers
 * {@link #PERFORM_FULL_AUTHENTICATION} and the client sends the password itself: as {@link #cleartextPassword}
 * over TLS (or a unix socket), or else RSA-encrypted with the server's public key ({@link #encryptPassword}),
 * which it may ask for by sending {@link #REQUEST_PUBLIC_KEY}.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html">Caching_sha2_password information</a>
 */
public final class CachingSha2Password {
    public static final String NAME = "caching_sha2_password";

    /** Client to server, instead of the password, when it has no public key for the RSA exchange. */
    public static final int REQUEST_PUBLIC_KEY = 0x02;
    /** Server to client in AuthMoreData: the scramble matched; an OK packet follows. */
    public static final int FAST_AUTH_SUCCESS = 0x03;
    /** Server to client in AuthMoreData: send the password (over TLS, or RSA-encrypted). */
    public static final int PERFORM_FULL_AUTHENTICATION = 0x04;

    /** MySQL uses OAEP for caching_sha2_password (sha256_password before 8.0.5 used PKCS#1 v1.5). */
    private static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPWithSHA-1AndMGF1Padding";
    /** What Connector/J still uses toward a server whose version reads older than 8.0.5. */
    private static final String RSA_PKCS1_TRANSFORMATION = "RSA/ECB/PKCS1Padding";
    private static final byte[] EMPTY = new byte[0];

    private CachingSha2Password() {
    }

    /** Client side: the fast-path auth response; empty for an empty password. */
    public static byte[] scramble(byte[] password, byte[] seed) {
        if (password.length == 0) {
            return EMPTY;
        }
        byte[] stage1 = Digests.sha256(password);
        byte[] stage2 = Digests.sha256(stage1);
        return Digests.xor(stage1, Digests.sha256(stage2, Scrambles.strip(seed)));
    }

    /**
     * Server side fast path, given the plaintext password: constant time, and {@code false} (not an exception)
     * for a truncated or malformed response. An empty password accepts only a {@linkplain #isNoPassword no password}
     * response.
     */
    public static boolean verify(byte[] response, byte[] seed, byte[] password) {
        return MessageDigest.isEqual(isNoPassword(response) ? EMPTY : response, scramble(password, seed));
    }

    /**
     * Whether a response says "no password": empty, or the one NUL that Connector/J (like libmysqlclient) sends,
     * which the server takes for the same.
     */
    public static boolean isNoPassword(byte[] response) {
        return response == null || response.length == 0 || (response.length == 1 && response[0] == 0);
    }

    /** The password as sent for full authentication over a secure channel: the bytes and a NUL. */
    public static byte[] cleartextPassword(byte[] password) {
        return Arrays.copyOf(password, password.length + 1);
    }

    /**
     * Client side full authentication without TLS: {@code (password + NUL) XOR seed} (the seed repeated),
     * RSA-OAEP encrypted with the server's public key.
     *
     * @throws IllegalArgumentException if the key cannot encrypt it (not RSA, or the password is too long
     *     for the key: 214 bytes with a 2048-bit key)
     */
    public static byte[] encryptPassword(byte[] password, byte[] seed, PublicKey key) {
        byte[] masked = Digests.xor(cleartextPassword(password), Scrambles.strip(seed));
        return rsa(RSA_TRANSFORMATION, Cipher.ENCRYPT_MODE, key, masked);
    }

    /**
     * Server side inverse of {@link #encryptPassword}: the password, without the trailing NUL.
     *
     * @throws IllegalArgumentException if {@code encrypted} does not decrypt with {@code key}; callers
     *     handling a client's packet should treat that as a failed login
     */
    public static byte[] decryptPassword(byte[] encrypted, byte[] seed, PrivateKey key) {
        return unmask(rsa(RSA_TRANSFORMATION, Cipher.DECRYPT_MODE, key, encrypted), seed);
    }

    /**
     * {@link #decryptPassword} for a password encrypted with PKCS#1 v1.5 padding, as Connector/J does for a server whose
     * version reads older than 8.0.5 (MariaDB's "5.5.5-" prefix reads as 5.5.5).
     *
     * @throws IllegalArgumentException if {@code encrypted} does not decrypt with {@code key}
     */
    public static byte[] decryptPasswordPkcs1(byte[] encrypted, byte[] seed, PrivateKey key) {
        return unmask(rsa(RSA_PKCS1_TRANSFORMATION, Cipher.DECRYPT_MODE, key, encrypted), seed);
    }

    /** The password from the decrypted {@code (password + NUL) XOR seed}, without the NUL. */
    private static byte[] unmask(byte[] decrypted, byte[] seed) {
        byte[] plain = Digests.xor(decrypted, Scrambles.strip(seed));
        int length = plain.length;
        if (length > 0 && plain[length - 1] == 0) {
            length--;
        }
        return Arrays.copyOf(plain, length);
    }

    private static byte[] rsa(String transformation, int mode, Key key, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance(transformation);
            cipher.init(mode, key);
            return cipher.doFinal(input);
        } catch (GeneralSecurityException | RuntimeException e) {
            // RuntimeException: some providers signal oversize input that way instead of a checked exception.
            throw new IllegalArgumentException("RSA " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                + " of the password failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
