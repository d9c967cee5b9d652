package dev.berth.proxy.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads byte sizes as MySQL's {@code max_allowed_packet} takes them: a number of bytes, or a number with a
 * {@code K}, {@code M} or {@code G} suffix meaning 1024, 1024² or 1024³ bytes ({@code 64M}, {@code 1G};
 * {@code 64MB} and {@code 64MiB} mean the same).
 */
public final class ByteSizeConverter implements ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([KMG])(?:I?B)?|B)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /** Parses a size in bytes; throws {@link TypeConversionException} with an example of what to write. */
    public static long parse(String value) {
        Matcher size = SIZE.matcher(value.strip().toUpperCase(Locale.ROOT));
        if (!size.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size; write bytes or e.g. 64K, 16M, 1G");
        }
        int shift = size.group(2) == null ? 0 : switch (size.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            default -> 30;
        };
        try {
            long amount = Long.parseLong(size.group(1));
            if (amount > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return amount << shift;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is too large a size");
        }
    }

    /** Writes a size with the largest suffix that divides it, for log lines. */
    public static String format(long bytes) {
        String[] suffixes = {"G", "M", "K"};
        for (int i = 0; i < suffixes.length; i++) {
            long unit = 1L << (30 - 10 * i);
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + suffixes[i];
            }
        }
        return Long.toString(bytes);
    }
}
