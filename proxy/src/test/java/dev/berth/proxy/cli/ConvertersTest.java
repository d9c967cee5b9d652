package dev.berth.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(90), DurationConverter.parse("1m30s"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse(" 1s500ms "));
        assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
    }

    @Test
    void badDurationsSayWhatToWrite() {
        for (String bad : new String[] {"", "5", "5x", "s", "-5s", "5 s", "1.5s", "5sx", "PT5S"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("write e.g. 500ms, 5s"), e.getMessage());
        }
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse("99999999999999999999s"));
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse("9223372036854775807h"));
    }

    @Test
    void durationsFormatAsTheyParse() {
        for (String text : new String[] {"500ms", "5s", "2m", "1h", "1m30s", "1h5s", "1h2m3s", "0ms"}) {
            assertEquals(text, DurationConverter.format(DurationConverter.parse(text)));
        }
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
    }

    @Test
    void sizes() {
        assertEquals(1024, ByteSizeConverter.parse("1024"));
        assertEquals(1024, ByteSizeConverter.parse("1024B"));
        assertEquals(64 * 1024, ByteSizeConverter.parse("64K"));
        assertEquals(64L << 20, ByteSizeConverter.parse("64M"));
        assertEquals(64L << 20, ByteSizeConverter.parse("64m"));
        assertEquals(64L << 20, ByteSizeConverter.parse("64MB"));
        assertEquals(64L << 20, ByteSizeConverter.parse("64MiB"));
        assertEquals(1L << 30, ByteSizeConverter.parse("1G"));
        assertEquals(16L << 30, ByteSizeConverter.parse("16G"));
    }

    @Test
    void badSizes() {
        for (String bad : new String[] {"", "M", "1.5G", "-1", "64T", "64 megabytes"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> ByteSizeConverter.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("e.g. 64K, 16M, 1G"), e.getMessage());
        }
        assertThrows(TypeConversionException.class, () -> ByteSizeConverter.parse("9999999999999999999G"));
        assertThrows(TypeConversionException.class, () -> ByteSizeConverter.parse("9007199254740992K"));
    }

    @Test
    void sizesFormatWithTheLargestSuffix() {
        assertEquals("1G", ByteSizeConverter.format(1L << 30));
        assertEquals("64M", ByteSizeConverter.format(64L << 20));
        assertEquals("1536K", ByteSizeConverter.format(1536L * 1024));
        assertEquals("1000", ByteSizeConverter.format(1000));
    }
}
