package dev.berth.proxy.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The YAML file of {@code --config}: a map from long flag names without the dashes to values, e.g.
 * {@code max-open-conns: 64}; a repeatable flag takes a list or a single value.
 *
 * <p>Values are kept as written, before YAML gives them a type, and converted as the same text on the command line
 * would be: {@code 0660} stays octal for --listen-mode, {@code 5s} is a duration.
 */
final class ConfigFile {

    /** The values of one key, as written, and the line it is on. */
    record Entry(List<String> values, int line) {
    }

    private final Path path;
    private final Map<String, Entry> entries;

    private ConfigFile(Path path, Map<String, Entry> entries) {
        this.path = path;
        this.entries = entries;
    }

    /**
     * Reads {@code path}, whose keys must name options of {@code spec}.
     *
     * @throws IllegalArgumentException in one line naming the file, and the line where it has one: the file is
     *                                  missing or unreadable, is not YAML, or has a key or value that fits no flag
     */
    static ConfigFile read(Path path, CommandSpec spec) {
        Optional<Node> root;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = new Compose(LoadSettings.builder().setLabel(path.toString()).build()).composeReader(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--config " + path + ": no such file");
        } catch (IOException e) {
            throw unreadable(path, e);
        } catch (MarkedYamlEngineException e) {
            throw new IllegalArgumentException(at(path, e.getProblemMark()) + e.getProblem());
        } catch (YamlEngineException e) {
            // Unmarked: the parser's own reads failed, on a directory or bytes that are not UTF-8.
            throw unreadable(path, e.getCause() == null ? e : e.getCause());
        }
        return new ConfigFile(path, root.map(node -> entries(path, node, spec)).orElse(Map.of()));
    }

    Path path() {
        return path;
    }

    /** The values the file gives {@code option}, if it names it. */
    Optional<List<String>> values(OptionSpec option) {
        return entry(option).map(Entry::values);
    }

    /** Where the file gives {@code option} its value: {@code /etc/berth.yaml:3}. */
    Optional<String> origin(OptionSpec option) {
        return entry(option).map(entry -> path + ":" + entry.line());
    }

    private Optional<Entry> entry(OptionSpec option) {
        return Optional.ofNullable(entries.get(option.longestName()));
    }

    private static Map<String, Entry> entries(Path path, Node root, CommandSpec spec) {
        if (!(root instanceof MappingNode map)) {
            throw new IllegalArgumentException(at(path, root) + "write settings as a map of flag names to values, "
                    + "e.g. max-open-conns: 64");
        }
        Map<String, OptionSpec> settable = settable(spec);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw new IllegalArgumentException(at(path, keyNode) + "a key must be a flag name");
            }
            String key = scalarKey.getValue();
            OptionSpec option = settable.get(key);
            if (option == null) {
                throw new IllegalArgumentException(at(path, keyNode) + unknown(key, spec, settable));
            }
            if (entries.containsKey(option.longestName())) {
                throw new IllegalArgumentException(at(path, keyNode) + key + " is given twice");
            }
            entries.put(option.longestName(), new Entry(values(path, key, option, tuple.getValueNode()),
                    line(keyNode)));
        }
        return entries;
    }

    /** The options a file may set, by key: all but --help, --version, and --config itself. */
    private static Map<String, OptionSpec> settable(CommandSpec spec) {
        Map<String, OptionSpec> settable = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            if (settable(option)) {
                settable.put(key(option), option);
            }
        }
        return settable;
    }

    private static boolean settable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp() && !option.longestName().equals(BerthCommand.CONFIG);
    }

    private static String unknown(String key, CommandSpec spec, Map<String, OptionSpec> settable) {
        OptionSpec named = spec.findOption("--" + key);
        if (named != null && !settable(named)) {
            return key + " cannot be set in a config file";
        }
        return ClosestName.to(key, settable.keySet())
                .map(closest -> "unknown key " + key + "; did you mean " + closest + "?")
                .orElse("unknown key " + key + "; the keys are the long flag names of berth --help");
    }

    private static List<String> values(Path path, String key, OptionSpec option, Node value) {
        if (value instanceof ScalarNode scalar) {
            return List.of(scalar(path, key, scalar));
        }
        if (value instanceof SequenceNode sequence && option.isMultiValue()) {
            List<String> values = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                if (!(item instanceof ScalarNode scalar)) {
                    throw new IllegalArgumentException(at(path, item) + key + " takes a list of single values, not "
                            + shape(item));
                }
                values.add(scalar(path, key, scalar));
            }
            return values;
        }
        throw new IllegalArgumentException(at(path, value) + key + " takes "
                + (option.isMultiValue() ? "a value or a list of values" : "a single value") + ", not " + shape(value));
    }

    private static String scalar(Path path, String key, ScalarNode scalar) {
        if (scalar.getTag().equals(Tag.NULL)) {
            throw new IllegalArgumentException(at(path, scalar) + key + " has no value; write one, or drop the key");
        }
        return scalar.getValue();
    }

    private static String shape(Node node) {
        return node instanceof MappingNode ? "a map" : "a list";
    }

    /** {@code max-open-conns} for {@code --max-open-conns}. */
    static String key(OptionSpec option) {
        return option.longestName().substring(2);
    }

    private static IllegalArgumentException unreadable(Path path, Throwable cause) {
        return new IllegalArgumentException("--config " + path + ": cannot be read (" + cause.getMessage() + ")");
    }

    private static String at(Path path, Node node) {
        return path + ":" + line(node) + ": ";
    }

    private static String at(Path path, Optional<Mark> mark) {
        return path + mark.map(m -> ":" + (m.getLine() + 1)).orElse("") + ": ";
    }

    private static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
