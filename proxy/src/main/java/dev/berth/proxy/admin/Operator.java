package dev.berth.proxy.admin;

import java.util.List;

/** What the admin console's actions do to the running Berth, beyond the pool and the clients it reads itself. */
public interface Operator {
    /**
     * SET: validates {@code value} as the flag {@code --setting} would be and applies it live; returns what changed.
     *
     * @throws IllegalArgumentException for an unknown setting, a bad value, or one that only a restart can change
     */
    String set(String setting, String value);

    /** Whether {@code name} is one of Berth's settings (a long flag name without its dashes). */
    boolean isSetting(String name);

    /** RELOAD: reads the configuration (flags, environment, config and users files) again and applies it. */
    String reload();

    /** SHOW CONFIG's rows: setting, value (secrets masked), and where the value came from. */
    List<List<String>> configRows();

    /** SHUTDOWN: stops now, or with {@code drain} as on SIGTERM. Returns at once. */
    void shutdown(boolean drain);
}
