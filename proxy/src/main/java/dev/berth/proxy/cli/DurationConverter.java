package dev.berth.proxy.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as written on a command line: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, and sums of
 * them as Go writes them ({@code 1m30s}); a bare {@code 0} is zero, as Go's time.ParseDuration reads it.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses a duration; throws {@link TypeConversionException} with an example of what to write. */
    public static Duration parse(String value) {
        String text = value.strip();
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        try {
            while (part.find() && part.start() == end) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                });
                end = part.end();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is too long a duration");
        }
        if (end == 0 || end != text.length()) {
            throw new TypeConversionException("'" + value + "' is not a duration; write e.g. 500ms, 5s, 2m, 1h or 1m30s");
        }
        return total;
    }

    /** Writes a duration back in the form {@link #parse} reads, for log lines. */
    public static String format(Duration duration) {
        if (duration.toMillisPart() != 0 || duration.isZero()) {
            return duration.toMillis() + "ms";
        }
        StringBuilder text = new StringBuilder();
        if (duration.toHours() != 0) {
            text.append(duration.toHours()).append('h');
        }
        if (duration.toMinutesPart() != 0) {
            text.append(duration.toMinutesPart()).append('m');
        }
        if (duration.toSecondsPart() != 0) {
            text.append(duration.toSecondsPart()).append('s');
        }
        return text.toString();
    }
}
