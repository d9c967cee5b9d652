package dev.berth.mysql.auth;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * {@code mysql_native_password}: the client proves it knows SHA1(password) without sending it.
 *
 * <pre>
 *   response = SHA1(password) XOR SHA1(seed + SHA1(SHA1(password)))
 * </pre>
 * The server stores only SHA1(SHA1(password)) (shown as {@code *HEX} by {@code PASSWORD()}), XORs the
 * response with SHA1(seed + stored) to recover SHA1(password), and checks that its SHA1 is the stored hash.
 * An empty password is sent as an empty response.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html">Native Authentication</a>
 */
public final class NativePassword {
    public static final String NAME = "mysql_native_password";

    private static final int HASH_LENGTH = 20;
    private static final byte[] EMPTY = new byte[0];

    private NativePassword() {
    }

    /** Client side: the auth response for {@code password}; empty for an empty password. */
    public static byte[] scramble(byte[] password, byte[] seed) {
        if (password.length == 0) {
            return EMPTY;
        }
        byte[] stage1 = Digests.sha1(password);
        byte[] stage2 = Digests.sha1(stage1);
        return Digests.xor(stage1, Digests.sha1(Scrambles.strip(seed), stage2));
    }

    /**
     * Client side, knowing only SHA1(password) (what {@link #recoverStage1} learns from a login): the same response
     * {@link #scramble} gives for the password. An empty stage1 stands for an empty password.
     */
    public static byte[] scrambleFromStage1(byte[] stage1, byte[] seed) {
        if (stage1.length == 0) {
            return EMPTY;
        }
        return Digests.xor(stage1, Digests.sha1(Scrambles.strip(seed), Digests.sha1(stage1)));
    }

    /**
     * Server side: SHA1(password) out of a response that {@link #verify} accepted. With it Berth can log in to
     * another server for the account, as the account, while knowing only its stored hash. Empty for an account
     * without a password; null when the response does not prove the password.
     */
    public static byte[] recoverStage1(byte[] response, byte[] seed, byte[] doubleHash) {
        if (!verify(response, seed, doubleHash)) {
            return null;
        }
        if (doubleHash.length == 0) {
            return EMPTY;
        }
        return Digests.xor(response, Digests.sha1(Scrambles.strip(seed), doubleHash));
    }

    /**
     * SHA1(SHA1(password)), what MySQL stores for the account. Empty for an empty password, as MySQL
     * stores an empty string (and {@code PASSWORD('')} returns one) rather than the hash of nothing.
     */
    public static byte[] doubleHash(byte[] password) {
        return password.length == 0 ? EMPTY : Digests.sha1(Digests.sha1(password));
    }

    /**
     * Server side: whether {@code response} proves knowledge of the password whose {@link #doubleHash} is
     * {@code doubleHash}. An empty (or null) double hash is an account without a password, which accepts only
     * an empty response. Malformed input yields {@code false}, never an exception.
     */
    public static boolean verify(byte[] response, byte[] seed, byte[] doubleHash) {
        byte[] given = response == null ? EMPTY : response;
        if (doubleHash == null || doubleHash.length == 0) {
            return given.length == 0;
        }
        if (given.length != HASH_LENGTH || doubleHash.length != HASH_LENGTH) {
            return false;
        }
        byte[] stage1 = Digests.xor(given, Digests.sha1(Scrambles.strip(seed), doubleHash));
        return MessageDigest.isEqual(Digests.sha1(stage1), doubleHash);
    }

    /** Server side, when the plaintext password is known: same answer as {@link #verify}, in constant time. */
    public static boolean verifyPlain(byte[] response, byte[] seed, byte[] password) {
        return MessageDigest.isEqual(response == null ? EMPTY : response, scramble(password, seed));
    }

    /**
     * Parses a stored hash as {@code PASSWORD()} prints it ({@code *} and 40 hex digits, or the empty string
     * for no password) into the form {@link #verify} takes.
     *
     * @throws IllegalArgumentException if {@code stored} is neither
     */
    public static byte[] parseDoubleHash(String stored) {
        if (stored.isEmpty()) {
            return EMPTY;
        }
        if (stored.length() != 1 + 2 * HASH_LENGTH || stored.charAt(0) != '*') {
            throw new IllegalArgumentException("not a mysql_native_password hash (*HEX): " + stored.length() + " chars");
        }
        return HexFormat.of().parseHex(stored, 1, stored.length());
    }
}
