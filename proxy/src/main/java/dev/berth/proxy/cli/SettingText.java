package dev.berth.proxy.cli;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;

/** An option's value as SHOW CONFIG shows it: written as the flag would take it, passwords masked. */
final class SettingText {

    private static final String MASK = "***";
    /** Options whose value is a password. */
    private static final Set<String> PASSWORDS = Set.of("--backend-password");
    /** Options whose values are name:password accounts; the name is shown. */
    private static final Set<String> ACCOUNTS = Set.of("--user", "--admin-user");

    private SettingText() {
    }

    /** The text of {@code option}'s scalar value. */
    static String of(OptionSpec option, Object value) {
        if (value == null) {
            return "";
        }
        String name = option.longestName();
        if (PASSWORDS.contains(name)) {
            return value.toString().isEmpty() ? "" : MASK;
        }
        if (ACCOUNTS.contains(name)) {
            return account(value.toString());
        }
        if (value instanceof Duration duration) {
            return DurationConverter.format(duration);
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT);
        }
        if (Arrays.stream(option.converters()).anyMatch(ByteSizeConverter.class::isInstance)) {
            return ByteSizeConverter.format((Long) value);
        }
        return value.toString();
    }

    /** The text of a repeatable option's values. */
    static String ofList(OptionSpec option, List<String> values) {
        return values.stream().map(value -> of(option, value)).collect(Collectors.joining(", "));
    }

    private static String account(String credential) {
        int colon = credential.indexOf(':');
        return colon < 0 ? MASK : credential.substring(0, colon + 1) + MASK;
    }
}
