package dev.berth.mysql.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NativePasswordTest {
    private static final byte[] SECRET = "secret".getBytes(UTF_8);
    /** 0x01..0x14. */
    private static final byte[] SEED = seed1to20();

    /*
     * Expected values computed once, independently, with:
     *   python3 -c 'import hashlib; s=hashlib.sha1; seed=bytes(range(1,21)); p=s(b"secret").digest();
     *               print(bytes(a^b for a,b in zip(p, s(seed+s(p).digest()).digest())).hex())'
     * The second vector (seed and response) is the one in go-sql-driver/mysql's auth_test.go
     * (TestAuthFastNativePassword); the same python gives it too.
     */
    @Test
    void scrambleKnownVectors() {
        assertEquals("b32bb3a583e1340c0a1108d58b1be49781ad8c2f", hex(NativePassword.scramble(SECRET, SEED)));

        byte[] seed = bytes(70, 114, 92, 94, 1, 38, 11, 116, 63, 114, 23, 101, 126, 103, 26, 95, 81, 17, 24, 21);
        byte[] expected = bytes(53, 177, 140, 159, 251, 189, 127, 53, 109, 252, 172, 50, 211, 192, 240, 164, 26, 48,
            207, 45);
        assertArrayEquals(expected, NativePassword.scramble(SECRET, seed));
    }

    /** MariaDB 10.11 on 127.0.0.1: {@code SELECT PASSWORD('secret')} = *14E65567ABDB5135D0CFD9A70B3032C179A49EE7. */
    @Test
    void doubleHashMatchesMariaDbPasswordFunction() {
        byte[] stored = NativePassword.parseDoubleHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
        assertArrayEquals(stored, NativePassword.doubleHash(SECRET));
        // SELECT PASSWORD('') is the empty string, not a hash.
        assertArrayEquals(new byte[0], NativePassword.doubleHash(new byte[0]));
        assertArrayEquals(new byte[0], NativePassword.parseDoubleHash(""));
    }

    @Test
    void parseDoubleHashRejectsOtherFormats() {
        assertThrows(IllegalArgumentException.class, () -> NativePassword.parseDoubleHash("14E65567ABDB5135D0CFD9A70B3032C179A49EE7"));
        assertThrows(IllegalArgumentException.class, () -> NativePassword.parseDoubleHash("*14E6"));
        assertThrows(IllegalArgumentException.class, () -> NativePassword.parseDoubleHash("*ZZE65567ABDB5135D0CFD9A70B3032C179A49EE7"));
    }

    @Test
    void emptyPasswordScramblesToNothing() {
        assertEquals(0, NativePassword.scramble(new byte[0], SEED).length);
    }

    @Test
    void serverAcceptsClientScrambleAndRejectsWrongPassword() {
        byte[] seed = Scrambles.newSeed();
        byte[] stored = NativePassword.doubleHash(SECRET);
        assertTrue(NativePassword.verify(NativePassword.scramble(SECRET, seed), seed, stored));
        assertTrue(NativePassword.verifyPlain(NativePassword.scramble(SECRET, seed), seed, SECRET));

        byte[] wrong = NativePassword.scramble("secreT".getBytes(UTF_8), seed);
        assertFalse(NativePassword.verify(wrong, seed, stored));
        assertFalse(NativePassword.verifyPlain(wrong, seed, SECRET));
        // Right password, other seed: a replayed response from an earlier login.
        byte[] replayed = NativePassword.scramble(SECRET, Scrambles.newSeed());
        assertFalse(NativePassword.verify(replayed, seed, stored));
        // An empty response does not log in to an account with a password.
        assertFalse(NativePassword.verify(new byte[0], seed, stored));
        assertFalse(NativePassword.verify(null, seed, stored));
        assertFalse(NativePassword.verifyPlain(new byte[0], seed, SECRET));
    }

    @Test
    void truncatedOrOversizedResponsesAreRejectedWithoutExceptions() {
        byte[] stored = NativePassword.doubleHash(SECRET);
        byte[] good = NativePassword.scramble(SECRET, SEED);
        for (int length = 1; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertFalse(NativePassword.verify(cut, SEED, stored), "length " + length);
            assertFalse(NativePassword.verifyPlain(cut, SEED, SECRET), "length " + length);
        }
        assertFalse(NativePassword.verify(Arrays.copyOf(good, 21), SEED, stored));
        assertFalse(NativePassword.verify(good, SEED, Arrays.copyOf(stored, 19)));
    }

    @Test
    void accountWithoutPasswordAcceptsOnlyEmptyResponse() {
        byte[] none = NativePassword.doubleHash(new byte[0]);
        assertTrue(NativePassword.verify(new byte[0], SEED, none));
        assertTrue(NativePassword.verify(new byte[0], SEED, null));
        assertTrue(NativePassword.verifyPlain(new byte[0], SEED, new byte[0]));
        assertFalse(NativePassword.verify(NativePassword.scramble(SECRET, SEED), SEED, none));
        assertFalse(NativePassword.verifyPlain(NativePassword.scramble(SECRET, SEED), SEED, new byte[0]));
    }

    @Test
    void seedWithTrailingNulIsTheSameSeed() {
        byte[] withNul = Arrays.copyOf(SEED, 21);
        assertArrayEquals(NativePassword.scramble(SECRET, SEED), NativePassword.scramble(SECRET, withNul));
        assertTrue(NativePassword.verify(NativePassword.scramble(SECRET, SEED), withNul, NativePassword.doubleHash(SECRET)));
    }

    static byte[] seed1to20() {
        byte[] seed = new byte[20];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (i + 1);
        }
        return seed;
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void theStage1RecoveredFromALoginScramblesLikeThePasswordForAnyOtherSeed() {
        byte[] password = "berth secret".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] clientSeed = "abcdefghij0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] backendSeed = "ZYXWVUTSRQ9876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] stored = NativePassword.doubleHash(password);
        byte[] stage1 = NativePassword.recoverStage1(NativePassword.scramble(password, clientSeed), clientSeed, stored);
        org.junit.jupiter.api.Assertions.assertArrayEquals(NativePassword.scramble(password, backendSeed),
                NativePassword.scrambleFromStage1(stage1, backendSeed));
        org.junit.jupiter.api.Assertions.assertNull(NativePassword.recoverStage1(
                NativePassword.scramble("wrong".getBytes(java.nio.charset.StandardCharsets.UTF_8), clientSeed),
                clientSeed, stored), "a wrong password proves nothing");
        org.junit.jupiter.api.Assertions.assertEquals(0, NativePassword.scrambleFromStage1(
                NativePassword.recoverStage1(new byte[0], clientSeed, new byte[0]), backendSeed).length);
    }
}
