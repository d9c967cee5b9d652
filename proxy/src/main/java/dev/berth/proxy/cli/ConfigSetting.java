package dev.berth.proxy.cli;

/**
 * One option as SHOW CONFIG shows it.
 *
 * @param name   the long flag name, e.g. {@code --max-open-conns}
 * @param value  the value in effect, written as the flag would take it; passwords masked ({@code app:***}); empty
 *               when the option is unset; a list as {@code a, b}
 * @param source where the value came from: {@code flag}, {@code environment (BERTH_X)}, {@code file (PATH)} or
 *               {@code default}
 */
public record ConfigSetting(String name, String value, String source) {
}
