package dev.berth.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ListenAddress;
import dev.berth.config.PoolMode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE}: a YAML file of settings, below flags and the environment, and SHOW CONFIG's sources. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("berth.yaml"), yaml);
    }

    private static String message(Map<String, String> environment, String... args) {
        return assertThrows(IllegalArgumentException.class, () -> BerthCommand.toConfig(environment, args))
                .getMessage();
    }

    @Test
    void settingsOfEveryShape() throws Exception {
        Path yaml = file("""
                # a sidecar's settings
                listen: [127.0.0.1:7000, "unix:/run/berth.sock"]
                user:
                  - app:a,b
                  - ro:x
                max-open-conns: 64
                acquire-timeout: 2m
                max-packet-size: 64M
                tls: false
                pool-mode: transaction
                listen-mode: 0660
                backend-connect-timeout: "1500ms"
                """);

        BerthConfig config = BerthCommand.toConfig(Map.of(), "--config", yaml.toString());

        assertEquals(List.of(new ListenAddress.Tcp("127.0.0.1", 7000), new ListenAddress.Unix(Path.of("/run/berth.sock"))),
                config.listen());
        // A list item is one value: the comma is part of the password, as in a flag.
        assertArrayEquals("a,b".getBytes(StandardCharsets.UTF_8), config.users().get("app").password().orElseThrow());
        assertEquals(Set.of("app", "ro"), config.users().keySet());
        assertEquals(64, config.pool().maxOpenConns());
        assertEquals(Duration.ofMinutes(2), config.pool().acquireTimeout());
        assertEquals(64L << 20, config.maxPacketSize());
        assertFalse(config.clientTls().enabled());
        assertEquals(PoolMode.TRANSACTION, config.pool().mode());
        // As written, not as YAML would type it: 0660 stays octal.
        assertEquals(Optional.of(0660), config.operations().unixSocketMode());
        assertEquals(Duration.ofMillis(1500), config.backend().connectTimeout());
    }

    @Test
    void aRepeatableKeyTakesASingleValueToo() throws Exception {
        Path yaml = file("listen: unix:/run/berth.sock\nuser: app:x\n");
        BerthConfig config = BerthCommand.toConfig(Map.of(), "--config=" + yaml);
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/run/berth.sock"))), config.listen());
        assertEquals(List.of("app"), List.copyOf(config.users().keySet()));
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() throws Exception {
        Path yaml = file("max-open-conns: 10\nmax-idle-conns: 5\nmin-idle-conns: 2\nuser: [file:x]\n");
        Map<String, String> environment = Map.of("BERTH_CONFIG", yaml.toString(), "BERTH_MAX_OPEN_CONNS", "20",
                "BERTH_MAX_IDLE_CONNS", "6");

        BerthConfig config = BerthCommand.toConfig(environment, "--max-open-conns", "30");

        assertEquals(30, config.pool().maxOpenConns(), "flag over environment and file");
        assertEquals(6, config.pool().maxIdleConns(), "environment over file");
        assertEquals(2, config.pool().minIdleConns(), "file over default");
        assertEquals(Duration.ofSeconds(5), config.pool().acquireTimeout(), "default");
        assertEquals(List.of("file"), List.copyOf(config.users().keySet()));
        assertEquals(List.of("env"), List.copyOf(BerthCommand.toConfig(Map.of("BERTH_USER", "env:x"),
                "--config", yaml.toString()).users().keySet()), "the environment's list replaces the file's");
    }

    @Test
    void theFlagNamesTheFileOverBerthConfig() throws Exception {
        Path flagged = file("max-open-conns: 7\n");
        Path other = Files.writeString(dir.resolve("other.yaml"), "max-open-conns: 8\n");
        assertEquals(7, BerthCommand.toConfig(Map.of("BERTH_CONFIG", other.toString()), "--config", flagged.toString())
                .pool().maxOpenConns());
    }

    @Test
    void theFileIsReadAgainAtEachParse() throws Exception {
        Path yaml = file("max-open-conns: 10\n");
        assertEquals(10, BerthCommand.toConfig(Map.of(), "--config", yaml.toString()).pool().maxOpenConns());
        file("max-open-conns: 12\n");
        assertEquals(12, BerthCommand.toConfig(Map.of(), "--config", yaml.toString()).pool().maxOpenConns());
    }

    @Test
    void anEmptyFileSetsNothing() throws Exception {
        Path yaml = file("# nothing yet\n");
        assertEquals(BerthCommand.toConfig(), BerthCommand.toConfig(Map.of(), "--config", yaml.toString()));
    }

    @Test
    void aMistypedKeyIsAnErrorWithASuggestion() throws Exception {
        Path yaml = file("tls: false\nmax-open-connections: 5\n");
        assertEquals(yaml + ":2: unknown key max-open-connections; did you mean max-open-conns?",
                message(Map.of(), "--config", yaml.toString()));
        file("frobnicate: 1\n");
        assertEquals(yaml + ":1: unknown key frobnicate; the keys are the long flag names of berth --help",
                message(Map.of(), "--config", yaml.toString()));
        file("--tls: false\n");
        assertEquals(yaml + ":1: unknown key --tls; did you mean tls?", message(Map.of(), "--config", yaml.toString()));
    }

    @Test
    void helpVersionAndConfigCannotBeSetInTheFile() throws Exception {
        for (String key : List.of("help", "version", "config")) {
            Path yaml = file("tls: false\n" + key + ": x\n");
            assertEquals(yaml + ":2: " + key + " cannot be set in a config file",
                    message(Map.of(), "--config", yaml.toString()));
        }
    }

    @Test
    void aValueOfTheWrongShapeNamesTheKeyAndTheFile() throws Exception {
        Path yaml = file("max-open-conns:\n  a: 1\n");
        assertEquals(yaml + ":2: max-open-conns takes a single value, not a map",
                message(Map.of(), "--config", yaml.toString()));
        file("max-open-conns: [1, 2]\n");
        assertEquals(yaml + ":1: max-open-conns takes a single value, not a list",
                message(Map.of(), "--config", yaml.toString()));
        file("listen: {a: 1}\n");
        assertEquals(yaml + ":1: listen takes a value or a list of values, not a map",
                message(Map.of(), "--config", yaml.toString()));
        file("user:\n  - [a:x]\n");
        assertEquals(yaml + ":2: user takes a list of single values, not a list",
                message(Map.of(), "--config", yaml.toString()));
        file("backend-user:\n");
        assertEquals(yaml + ":1: backend-user has no value; write one, or drop the key",
                message(Map.of(), "--config", yaml.toString()));
        file("tls: false\ntls: true\n");
        assertEquals(yaml + ":2: tls is given twice", message(Map.of(), "--config", yaml.toString()));
        file("- tls\n");
        assertEquals(yaml + ":1: write settings as a map of flag names to values, e.g. max-open-conns: 64",
                message(Map.of(), "--config", yaml.toString()));
    }

    @Test
    void aBadValueInTheFileNamesItsLine() throws Exception {
        Path yaml = file("tls: false\nmax-open-conns: lots\n");
        assertEquals("Invalid value for option '--max-open-conns': 'lots' is not an int (from " + yaml + ":2); "
                + "see berth --help", message(Map.of(), "--config", yaml.toString()));
        file("tls: no\n");
        assertTrue(message(Map.of(), "--config", yaml.toString()).contains("'no' is not a boolean"),
                "YAML 1.2: no is a string");
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws Exception {
        Path yaml = file("tls: false\nlisten: [127.0.0.1:6033\nuser: app:x\n");
        String message = message(Map.of(), "--config", yaml.toString());
        assertTrue(message.startsWith(yaml + ":3: "), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void aMissingOrUnreadableFileIsAnError() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertEquals("--config " + missing + ": no such file", message(Map.of(), "--config", missing.toString()));
        assertEquals("--config " + missing + ": no such file",
                message(Map.of("BERTH_CONFIG", missing.toString())));
        assertTrue(message(Map.of(), "--config", dir.toString()).startsWith("--config " + dir + ": cannot be read"));
    }

    @Test
    void aBerthVariableThatMatchesNoFlagIsAnError() {
        assertEquals("BERTH_MAX_OPEN_CONN in the environment matches no flag; did you mean BERTH_MAX_OPEN_CONNS?",
                message(Map.of("BERTH_MAX_OPEN_CONN", "5")));
        assertEquals("BERTH_HELP in the environment matches no flag; the variables are BERTH_<FLAG> for the flags "
                + "of berth --help", message(Map.of("BERTH_HELP", "true")));
        assertEquals(10, BerthCommand.toConfig(Map.of("BERTH_LOG_LEVEL", "DEBUG", "BERTHA", "x", "PATH", "/bin"),
                "--max-open-conns", "10").pool().maxOpenConns(), "BERTH_LOG_LEVEL is read by logback");
    }

    @Test
    void mistakesAreUsageErrorsAndHelpStillAnswers() throws Exception {
        Path yaml = file("max-open-connections: 5\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = {"--config", yaml.toString()};
        CommandLine commandLine = BerthCommand.commandLine(Map.of("BERTH_TLS", "false"), args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        assertEquals(2, commandLine.execute(args));
        assertEquals("berth: " + yaml + ":1: unknown key max-open-connections; did you mean max-open-conns?"
                + System.lineSeparator(), err.toString());
        assertEquals(0, BerthCommand.commandLine(Map.of("BERTH_NOPE", "x"), "--help")
                .setOut(new PrintWriter(out, true)).execute("--help"));
    }

    @Test
    void aCommandLineParsesOnlyTheArgumentsItWasMadeFor() throws Exception {
        Path yaml = file("max-open-conns: 5\n");
        CommandLine commandLine = BerthCommand.commandLine(Map.of());
        commandLine.parseArgs("--config", yaml.toString());
        assertThrows(IllegalStateException.class, () -> commandLine.<BerthCommand>getCommand().config());
    }

    @Test
    void settingsSayWhereEachValueCameFrom() throws Exception {
        Path yaml = file("max-open-conns: 10\nmax-idle-conns: 5\nmin-idle-conns: 2\n");
        Map<String, ConfigSetting> settings = byName(BerthCommand.settings(Map.of("BERTH_CONFIG", yaml.toString(),
                "BERTH_MAX_OPEN_CONNS", "20", "BERTH_MAX_IDLE_CONNS", "6"), "--max-open-conns", "30"));

        assertEquals(new ConfigSetting("--max-open-conns", "30", "flag"), settings.get("--max-open-conns"));
        assertEquals(new ConfigSetting("--max-idle-conns", "6", "environment (BERTH_MAX_IDLE_CONNS)"),
                settings.get("--max-idle-conns"));
        assertEquals(new ConfigSetting("--min-idle-conns", "2", "file (" + yaml + ")"), settings.get("--min-idle-conns"));
        assertEquals(new ConfigSetting("--acquire-timeout", "5s", "default"), settings.get("--acquire-timeout"));
        assertEquals(new ConfigSetting("--config", yaml.toString(), "environment (BERTH_CONFIG)"),
                settings.get("--config"));
        assertEquals(new ConfigSetting("--max-packet-size", "1G", "default"), settings.get("--max-packet-size"));
        assertEquals(new ConfigSetting("--pool-mode", "session", "default"), settings.get("--pool-mode"));
        assertEquals(new ConfigSetting("--listen", "127.0.0.1:6033", "default"), settings.get("--listen"));
        assertEquals(new ConfigSetting("--backend-user", "", "default"), settings.get("--backend-user"));
        assertEquals(new ConfigSetting("--tls", "true", "default"), settings.get("--tls"));
    }

    @Test
    void settingsAreInTheOrderOfHelpAndCoverEveryOption() {
        List<String> names = BerthCommand.settings(Map.of()).stream().map(ConfigSetting::name).toList();
        StringWriter out = new StringWriter();
        BerthCommand.commandLine(Map.of(), "--help").setOut(new PrintWriter(out, true)).execute("--help");
        String options = out.toString().substring(out.toString().indexOf("-V, --version"));
        List<Integer> positions = names.stream().map(name -> {
            String shown = name.equals("--tls") ? "--[no-]tls" : name;
            Matcher line = Pattern.compile("^ +" + Pattern.quote(shown) + "[= \\n]", Pattern.MULTILINE).matcher(options);
            return line.find() ? line.start() : -1;
        }).toList();
        assertFalse(positions.contains(-1), names + " in\n" + options);
        assertEquals(positions.stream().sorted().toList(), positions, names.toString());
        assertEquals(BerthCommand.commandLine(Map.of()).getCommandSpec().options().size() - 2, names.size());
    }

    @Test
    void settingsMaskPasswords() throws Exception {
        Path yaml = file("user: [app:secret1, 'ro:*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19']\n");
        Map<String, ConfigSetting> settings = byName(BerthCommand.settings(Map.of("BERTH_CONFIG", yaml.toString(),
                "BERTH_BACKEND_PASSWORD", "secret2"), "--backend-user", "berth", "--admin-listen", ":6034",
                "--admin-user", "admin:secret3", "--backend-connect-timeout", "90s"));

        assertEquals(new ConfigSetting("--user", "app:***, ro:***", "file (" + yaml + ")"), settings.get("--user"));
        assertEquals(new ConfigSetting("--backend-password", "***", "environment (BERTH_BACKEND_PASSWORD)"),
                settings.get("--backend-password"));
        assertEquals(new ConfigSetting("--admin-user", "admin:***", "flag"), settings.get("--admin-user"));
        assertEquals(new ConfigSetting("--backend-user", "berth", "flag"), settings.get("--backend-user"));
        assertEquals(new ConfigSetting("--backend-connect-timeout", "1m30s", "flag"),
                settings.get("--backend-connect-timeout"));
        String all = settings.values().toString();
        assertFalse(all.contains("secret") || all.contains("2470C0"), all);
        assertEquals(new ConfigSetting("--user", "a:***, b:***", "environment (BERTH_USER)"),
                byName(BerthCommand.settings(Map.of("BERTH_USER", "a:x,b:y"))).get("--user"));
    }

    @Test
    void settingsRefuseWhatToConfigRefuses() {
        assertThrows(IllegalArgumentException.class, () -> BerthCommand.settings(Map.of("BERTH_NOPE", "1")));
        assertThrows(IllegalArgumentException.class, () -> BerthCommand.settings(Map.of(), "--max-open-conns", "0"));
    }

    private static Map<String, ConfigSetting> byName(List<ConfigSetting> settings) {
        return settings.stream().collect(Collectors.toMap(ConfigSetting::name, Function.identity()));
    }
}
