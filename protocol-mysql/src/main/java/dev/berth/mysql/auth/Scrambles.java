package dev.berth.mysql.auth;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 20-byte scramble (nonce, "auth-plugin-data") a server sends in its greeting and in AuthSwitchRequest.
 *
 * <p>In the greeting it travels as 8 + 12 bytes followed by a NUL, and some servers append a NUL to the
 * 20 bytes in AuthSwitchRequest too; that is why the bytes themselves are never 0.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html">Protocol::HandshakeV10</a>
 */
public final class Scrambles {
    public static final int SEED_LENGTH = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Scrambles() {
    }

    /**
     * A fresh seed: 20 bytes in 1..127, never {@code '$'}, like MySQL's {@code generate_user_salt}
     * (0 would end the NUL-terminated string; {@code '$'} separates fields in stored sha2 hashes).
     */
    public static byte[] newSeed() {
        byte[] seed = new byte[SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            // 126 allowed values: 1..127 minus '$'. Uniform, unlike MySQL's "& 0x7f, bump 0 and '$'".
            int b = 1 + RANDOM.nextInt(126);
            seed[i] = (byte) (b >= '$' ? b + 1 : b);
        }
        return seed;
    }

    /** The seed without the trailing NUL some servers send after it; otherwise the seed itself. */
    static byte[] strip(byte[] seed) {
        if (seed.length == SEED_LENGTH + 1 && seed[SEED_LENGTH] == 0) {
            return Arrays.copyOf(seed, SEED_LENGTH);
        }
        return seed;
    }
}
