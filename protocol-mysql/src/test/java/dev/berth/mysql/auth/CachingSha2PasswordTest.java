package dev.berth.mysql.auth;

import static dev.berth.mysql.auth.NativePasswordTest.bytes;
import static dev.berth.mysql.auth.NativePasswordTest.hex;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CachingSha2PasswordTest {
    private static final byte[] SECRET = "secret".getBytes(UTF_8);
    private static final byte[] SEED = NativePasswordTest.seed1to20();
    private static final KeyPair KEYS = RsaKeys.generate();

    /*
     * Computed once, independently, with:
     *   python3 -c 'import hashlib; h=lambda b: hashlib.sha256(b).digest(); seed=bytes(range(1,21));
     *               p=h(b"secret"); print(bytes(a^b for a,b in zip(p, h(h(p)+seed))).hex())'
     * The other two (seed, response) pairs are those of go-sql-driver/mysql's auth_test.go
     * (TestScrambleSHA256Pass, TestAuthFastCachingSHA256PasswordCached); the same python gives them too.
     */
    @Test
    void scrambleKnownVectors() {
        assertEquals("746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9",
            hex(CachingSha2Password.scramble(SECRET, SEED)));

        byte[] seed2 = bytes(10, 47, 74, 111, 75, 73, 34, 48, 88, 76, 114, 74, 37, 13, 3, 80, 82, 2, 23, 21);
        assertEquals("f490e76f66d9d86665ce54d98c78d0acfe2fb0b08b423da807144873d30b312c",
            hex(CachingSha2Password.scramble(SECRET, seed2)));

        byte[] seed3 = bytes(90, 105, 74, 126, 30, 48, 37, 56, 3, 23, 115, 127, 69, 22, 41, 84, 32, 123, 43, 118);
        byte[] expected3 = bytes(102, 32, 5, 35, 143, 161, 140, 241, 171, 232, 56, 139, 43, 14, 107, 196, 249, 170,
            147, 60, 220, 204, 120, 178, 214, 15, 184, 150, 26, 61, 57, 235);
        assertArrayEquals(expected3, CachingSha2Password.scramble(SECRET, seed3));
    }

    @Test
    void emptyPasswordScramblesToNothingAndVerifiesOnlyEmpty() {
        assertEquals(0, CachingSha2Password.scramble(new byte[0], SEED).length);
        assertTrue(CachingSha2Password.verify(new byte[0], SEED, new byte[0]));
        assertTrue(CachingSha2Password.verify(null, SEED, new byte[0]));
        assertFalse(CachingSha2Password.verify(CachingSha2Password.scramble(SECRET, SEED), SEED, new byte[0]));
    }

    /** Connector/J answers one NUL for no password; the server reads it as an empty answer. */
    @Test
    void oneNulIsNoPassword() {
        assertTrue(CachingSha2Password.isNoPassword(new byte[] {0}));
        assertTrue(CachingSha2Password.verify(new byte[] {0}, SEED, new byte[0]));
        assertFalse(CachingSha2Password.verify(new byte[] {0}, SEED, SECRET));
        assertFalse(CachingSha2Password.isNoPassword(new byte[] {0, 0}));
        assertFalse(CachingSha2Password.isNoPassword(new byte[] {1}));
    }

    @Test
    void serverAcceptsClientScrambleAndRejectsWrongPassword() {
        byte[] seed = Scrambles.newSeed();
        assertTrue(CachingSha2Password.verify(CachingSha2Password.scramble(SECRET, seed), seed, SECRET));
        assertFalse(CachingSha2Password.verify(CachingSha2Password.scramble("Secret".getBytes(UTF_8), seed), seed, SECRET));
        assertFalse(CachingSha2Password.verify(CachingSha2Password.scramble(SECRET, Scrambles.newSeed()), seed, SECRET));
        assertFalse(CachingSha2Password.verify(new byte[0], seed, SECRET));
        // A native_password response (20 bytes) is not a caching_sha2 one.
        assertFalse(CachingSha2Password.verify(NativePassword.scramble(SECRET, seed), seed, SECRET));
    }

    @Test
    void truncatedResponsesAreRejectedWithoutExceptions() {
        byte[] good = CachingSha2Password.scramble(SECRET, SEED);
        for (int length = 1; length <= good.length + 1; length++) {
            if (length != good.length) {
                assertFalse(CachingSha2Password.verify(Arrays.copyOf(good, length), SEED, SECRET), "length " + length);
            }
        }
    }

    @Test
    void seedWithTrailingNulIsTheSameSeed() {
        assertArrayEquals(CachingSha2Password.scramble(SECRET, SEED),
            CachingSha2Password.scramble(SECRET, Arrays.copyOf(SEED, 21)));
    }

    @Test
    void cleartextPasswordIsNulTerminated() {
        assertArrayEquals(bytes('s', 'e', 'c', 'r', 'e', 't', 0), CachingSha2Password.cleartextPassword(SECRET));
        assertArrayEquals(bytes(0), CachingSha2Password.cleartextPassword(new byte[0]));
    }

    @Test
    void rsaRoundTrip() {
        byte[] seed = Scrambles.newSeed();
        for (String password : new String[] {"secret", "", "a password longer than the twenty-byte seed, p\u00e4ssw\u00f6rd"}) {
            byte[] pw = password.getBytes(UTF_8);
            byte[] encrypted = CachingSha2Password.encryptPassword(pw, seed, KEYS.getPublic());
            assertEquals(256, encrypted.length);
            assertArrayEquals(pw, CachingSha2Password.decryptPassword(encrypted, seed, KEYS.getPrivate()), password);
            // OAEP is randomized: the same password never encrypts the same way twice.
            assertFalse(Arrays.equals(encrypted, CachingSha2Password.encryptPassword(pw, seed, KEYS.getPublic())));
        }
    }

    @Test
    void decryptsWhatOpenSslEncrypts() throws Exception {
        // The client side of MySQL uses OpenSSL's RSA_PKCS1_OAEP_PADDING (SHA-1, MGF1-SHA-1). Made with:
        //   python3 -c 'import sys; s=bytes(range(1,21)); sys.stdout.buffer.write(bytes(b^s[i] for i,b in enumerate(b"secret\0")))' > masked.bin
        //   openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:oaep -in masked.bin | base64
        // with the throwaway test key below (openssl genrsa 2048 | openssl pkcs8 -topk8 -nocrypt).
        byte[] encrypted = Base64.getDecoder().decode(""
            + "OQp8/UBd6+XKr3uJZOIzthnUckL3NA45Kntijy40H9+KURTRwnePWHJI9Gp0ti7FJs98PahEBFSsE/R0TxpqaT"
            + "hul2XCf4b++l/TUZH1tFngMScPz4U/wJ89P+b5Zne/LCTCrhZvwOoQzSzPx9rMnpFdQJ6oyLT16MwCHkbu+iCa"
            + "z8PTKbMWrIxaeCq1csFneJUyWlWDvdeNZqInPikKVkhqVQ9L8d0nBITcpQZz1NSvRPNh2NpvF1/gXCnODUuD1M"
            + "qPMz6DbdkLEU+QFqJbcgJAHIwB0g2E4mJPVGGrfCJDcPmC9iyTsTrflFKr0HJYql6NM6OPMY/+2ysdJo76wg==");
        assertArrayEquals(SECRET, CachingSha2Password.decryptPassword(encrypted, SEED, testPrivateKey()));
        // The wrong seed unmasks to something else, which then fails the password comparison.
        assertFalse(Arrays.equals(SECRET,
            CachingSha2Password.decryptPassword(encrypted, Scrambles.newSeed(), testPrivateKey())));
    }

    @Test
    void decryptsWhatOpenSslEncryptsWithPkcs1Padding() throws Exception {
        // Connector/J's padding toward a server that reads older than 8.0.5. Made as above, with
        //   openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:pkcs1 -in masked.bin | base64
        byte[] encrypted = Base64.getDecoder().decode(""
            + "ih7n6l8nq4m0Eu/ie6nxZ1QU2t/ItI2cITYeMeKqfUZzUvKqaAkUFyKTcKnrSz/x5uFjQKZTW3D7AB2PlmSYQ+MUrM"
            + "1kwM/lOcsIwuvQxDU2HAf5p7keuBUhGWwZjbepFwN61XWxWF+WkTDoOU3O9T9TfowWYznmsp8N/kqqUmL5ZH8+Y+ZW"
            + "QTz/tolCcc/e6BYToUepl4rVyIV0u77qPxUD+jhycwlql82HJFrDPb5MhLCjQQsanQa62o3+vRuZ2qXj+JV/XVGvVem"
            + "qWaYtZYbiHLQHgIIW5m15aISCqmWwZay6jyplbHAF4N+02Ica1IPzDV2p+OT+J0/RJiWAIw==");
        assertArrayEquals(SECRET, CachingSha2Password.decryptPasswordPkcs1(encrypted, SEED, testPrivateKey()));
        // Each padding is its own: neither decrypts what the other encrypted.
        assertThrows(IllegalArgumentException.class,
            () -> CachingSha2Password.decryptPassword(encrypted, SEED, testPrivateKey()));
        byte[] oaep = CachingSha2Password.encryptPassword(SECRET, SEED, RsaKeys.parsePrivatePem(
            RsaKeysTest.PKCS8_PRIVATE.getBytes(UTF_8)).getPublic());
        assertThrows(IllegalArgumentException.class,
            () -> CachingSha2Password.decryptPasswordPkcs1(oaep, SEED, testPrivateKey()));
    }

    @Test
    void undecryptableInputIsAnIllegalArgument() {
        byte[] encrypted = CachingSha2Password.encryptPassword(SECRET, SEED, KEYS.getPublic());
        PrivateKey other = RsaKeys.generate().getPrivate();
        assertThrows(IllegalArgumentException.class, () -> CachingSha2Password.decryptPassword(encrypted, SEED, other));
        assertThrows(IllegalArgumentException.class,
            () -> CachingSha2Password.decryptPassword(Arrays.copyOf(encrypted, 100), SEED, KEYS.getPrivate()));
        assertThrows(IllegalArgumentException.class,
            () -> CachingSha2Password.decryptPassword(new byte[0], SEED, KEYS.getPrivate()));
    }

    @Test
    void passwordTooLongForTheKeyIsAnIllegalArgument() {
        // OAEP with SHA-1 fits 256 - 2 * 20 - 2 = 214 bytes in a 2048-bit block; the NUL takes one.
        byte[] longest = new byte[213];
        Arrays.fill(longest, (byte) 'x');
        byte[] encrypted = CachingSha2Password.encryptPassword(longest, SEED, KEYS.getPublic());
        assertArrayEquals(longest, CachingSha2Password.decryptPassword(encrypted, SEED, KEYS.getPrivate()));
        assertThrows(IllegalArgumentException.class,
            () -> CachingSha2Password.encryptPassword(new byte[214], SEED, KEYS.getPublic()));
    }

    static PrivateKey testPrivateKey() throws Exception {
        String pem = """
            -----BEGIN PRIVATE KEY-----
            MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDDXdZ1E3hD7Dj5
            UgvJDPvkQ/En5YT5hAztVCaCfgQ7q7hcX8iJ9NSqrMxR/r3C45p6C3z7uUnMCAln
            PcyU/8jJ8g5NltBBfFxQOdlVCqKLkuh64/quyoVhk/Upu2oKCWoh4yQ3jjlLuM8k
            kwwIM5s2/79GoOkPF/btwq+f2xIAdZ8ZYAFf+4UFbTDVe+vFyMFP+8plG47IP3s9
            atQnOgWE0bDyZtMiM1Gr8D7EX/yxWgTcKwgE1+J+u9+yQ8v4YlrECisT/AbU/EzW
            aa95iL5SXDEKaqvIgAdsuuWed3WZXdfTTLrNJGRrpol+mlUK5quT2GRwKuD8fGDJ
            t8f7tmKXAgMBAAECggEAB7uVG3kzz2xwLN4kfUa4Saauyud4xe+GG3azN4MJY9s+
            JtnbtCouqLrCM5Sjqi0cFiySO9xvoVXIGYAGsvcU2XltO4D2qUDk3oALrCQJnwCn
            lwWjDHwTn3MdxxMV9WO+Aa1d550Hg4nDGS2A0mpIgHrK9V61GtXV/j8weGFRaxcr
            BfxTHdEzQW30J8EZ3UmXI72iEpuQJUtS+IFmtwLk1fU42euL6zINLyFEdrJuwhni
            NLkfZyJOjd1bXYZVMX1jdBugW8Fi8d/oCwORsi9O6lQ9gHB1bMHa9X/4CtHYinba
            i/D9SuwgKjNmAINp1ZN9aRfZevuhrrXqoC/bIpMfUQKBgQDqLjKMhyhN2lJTal4j
            sXHECRsj7kX9MgZchw64EWBSgcVqe8M/62vlXELX3dgarTYe1HT2x48JDCq8xzVz
            GEPCh+D3CmTPNAaPC6i9bahSppNYE6/SMKcySN453ngz3+fg0+pihL8H6nmjrzEo
            yo6e5lFEqIDfpdtR2UU5PTfZRQKBgQDVkdRUdn/Q3TfrqJMP4wyJFj8D/3THYvT/
            ixjhbFc/Q5XErEljkpAen/dC+yrGIhQT9Z5eliIxqKhOQSSUgFVfcI6cHfIjxDTp
            H9y0r5oLlV3ikXqEmbHHlahpJ9RKk20uL2SXc+BrFBFxKw1bhkhb92uhxS+QmfmM
            qMBkQ+WUKwKBgQCbwTBDwV1wMoZRDs0gRlQZg8j2Y/NPDSeoAPgsOvpqxf9M7JYX
            fHid63hV5Spny87UQJCu1lnvNZVzS7fkHj5rMz7QcKxOGBdIqwOHQlkS59HWYfmt
            /kgmLMsJiEtAjWrHYYtiDVKVbEGNOeejbt3fF+bzmHNmzQSLcswU3v+3VQKBgHvp
            SFBZEH+WWkOYYvrsuPEwvw8KwC6O86bwhVcFDPnftJ2PeGUVPBkIpuVt5LtgOlX6
            RBCM+vnk6QG+OgMPEnl1TMi3dy3ZQPmhSuRqne3qk7ZIwdT9d3BdHIEmYr2CG+6Y
            ALz+tk5qLlSCrhVUK9dwDjqltZsoOumpXzbNTf5RAoGBAKmESnu3V1+Q/Yaksozd
            TMCeMmn29Zo4zGUSuQ5J5TQD4BDDq1oy8K2lNgBceUC9n8w3NMOxyMBJ5WNzVYRN
            5mCf2IDqb6oEwcEPL0+ZG9AG7VS5X4yXXBtJXHHzua+k3Gcnz89OOGlkpY5cYsQo
            o6+Wkc2+vo6vMgD+QyQfeSEr
            -----END PRIVATE KEY-----
            """;
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
