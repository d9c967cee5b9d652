package dev.berth.mysql.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScramblesTest {

    @Test
    void seedsAreTwentyBytesInOneTo127WithoutDollar() {
        boolean[] seen = new boolean[128];
        for (int n = 0; n < 2000; n++) {
            byte[] seed = Scrambles.newSeed();
            assertEquals(20, seed.length);
            for (byte b : seed) {
                assertTrue(b >= 1 && b <= 127, "byte " + b);
                assertTrue(b != '$');
                seen[b] = true;
            }
        }
        // 40,000 draws over 126 values: every allowed value shows up, including the ends.
        assertTrue(seen[1] && seen[127] && seen['#'] && seen['%']);
        assertFalse(seen[0] || seen['$']);
    }

    @Test
    void seedsDiffer() {
        assertFalse(Arrays.equals(Scrambles.newSeed(), Scrambles.newSeed()));
    }

    @Test
    void stripRemovesOnlyTheNulAfterTwentyBytes() {
        byte[] seed = Scrambles.newSeed();
        assertSame(seed, Scrambles.strip(seed));
        assertArrayEquals(seed, Scrambles.strip(Arrays.copyOf(seed, 21)));
        byte[] notNul = Arrays.copyOf(seed, 21);
        notNul[20] = 7;
        assertSame(notNul, Scrambles.strip(notNul));
    }
}
