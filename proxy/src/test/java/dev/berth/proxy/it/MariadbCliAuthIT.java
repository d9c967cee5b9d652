package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.mysql.auth.NativePassword;
import dev.berth.proxy.it.support.RunningBerth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MariaDB's command line client logs in to Berth with every {@code --default-auth} it ships a plugin for, whatever
 * plugin Berth's greeting names, with and without TLS: where its plugin got no seed (it then answers nothing) or is
 * one Berth can't check, Berth switches it as the server would. Only a wrong password is refused, with 1045. Skipped
 * where the {@code mariadb} binary is missing.
 */
class MariadbCliAuthIT {
    /** libmariadb's client plugins; null: none given, the greeting's. */
    private static final List<String> CLIENT_PLUGINS = Arrays.asList(null, "mysql_native_password",
            "caching_sha2_password", "client_ed25519", "mysql_clear_password", "dialog", "sha256_password");
    private static final String HASHED_PASSWORD = "only-a-hash";

    @BeforeAll
    static void needsTheClient() {
        assumeTrue(run(List.of("mariadb", "--version")).exit == 0,
                "the mariadb command line client is not installed (src/test/clients/install-clients.sh installs it)");
    }

    private record Result(int exit, String output) {
    }

    @Test
    void everyPluginLogsInBehindANativeGreeting() throws Exception {
        everyPluginLogsIn("mysql_native_password");
    }

    @Test
    void everyPluginLogsInBehindACachingSha2Greeting() throws Exception {
        everyPluginLogsIn("caching_sha2_password");
    }

    /**
     * Every login caching_sha2's full authentication: libmariadb sends the password in clear over TLS, and without
     * TLS asks for Berth's public key and sends it RSA-encrypted; *HEX accounts too.
     */
    @Test
    void everyPluginLogsInWithFullAuthentication() throws Exception {
        everyPluginLogsIn("auto", "--caching-sha2-full-auth");
    }

    private static void everyPluginLogsIn(String greeting, String... flags) throws Exception {
        String hash = "*" + HexFormat.of().withUpperCase().formatHex(
                NativePassword.doubleHash(HASHED_PASSWORD.getBytes(StandardCharsets.UTF_8)));
        List<String> failures = new ArrayList<>();
        List<String> arguments = new ArrayList<>(List.of("--default-auth", greeting, "--user", "hashed:" + hash,
                "--user", "anon:"));
        arguments.addAll(List.of(flags));
        try (RunningBerth berth = RunningBerth.start(arguments.toArray(String[]::new))) {
            for (String plugin : CLIENT_PLUGINS) {
                for (boolean tls : new boolean[] {false, true}) {
                    String label = "--default-auth=" + plugin + (tls ? " --ssl" : " --skip-ssl");
                    expect(failures, label + " app", cli(berth, plugin, tls, RunningBerth.USER, RunningBerth.PASSWORD),
                            0, "1");
                    expect(failures, label + " hashed", cli(berth, plugin, tls, "hashed", HASHED_PASSWORD), 0, "1");
                    expect(failures, label + " anon", cli(berth, plugin, tls, "anon", ""), 0, "1");
                    expect(failures, label + " wrong password", cli(berth, plugin, tls, RunningBerth.USER, "wrong"), 1,
                            "ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)");
                }
            }
        }
        assertEquals("", String.join("\n", failures), failures.size() + " failures behind a " + greeting + " greeting");
    }

    private static void expect(List<String> failures, String label, Result result, int exit, String output) {
        if (result.exit != exit || !result.output.strip().equals(output)) {
            failures.add(label + ": exit " + result.exit + ", " + result.output.strip());
        }
    }

    private static Result cli(RunningBerth berth, String plugin, boolean tls, String user, String password) {
        List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--protocol=tcp", "-h127.0.0.1",
                "-P" + berth.port(), "-u" + user, "--connect-timeout=10", "--batch", "--skip-column-names",
                tls ? "--ssl" : "--skip-ssl"));
        if (!password.isEmpty()) {
            command.add("-p" + password);
        }
        if (plugin != null) {
            command.add("--default-auth=" + plugin);
        }
        command.addAll(List.of("-e", "SELECT 1"));
        return run(command);
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
