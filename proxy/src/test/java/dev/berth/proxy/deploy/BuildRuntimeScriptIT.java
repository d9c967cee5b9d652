package dev.berth.proxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.Scrape;
import dev.berth.proxy.it.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs docker/build-runtime.sh, the image's build stage, on a copy of the sources (what the Dockerfile COPYs), then
 * runs Berth on the jlink'd runtime it made (a {@link BerthProcess}), in front of the test database: a client is
 * served, /metrics carries the JVM's figures (jdk.management) and the HEALTHCHECK's Probe passes on /liveness. The
 * inner Maven build runs offline from the local repository the outer one filled (MAVEN_ARGS); about a minute in all.
 */
class BuildRuntimeScriptIT {

    private static final Path ROOT = Path.of("..");
    private static final List<String> SOURCES = List.of("pom.xml", "protocol-mysql", "config", "proxy", "bench", "docker");

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theScriptBuildsARuntimeThatServesClientsMetricsAndTheProbe() throws Exception {
        Path sources = temp.resolve("src");
        for (String source : SOURCES) {
            copy(ROOT.resolve(source), sources.resolve(source));
        }
        Path out = temp.resolve("out");
        Result build = run(sources, "bash", "docker/build-runtime.sh", out.toString());
        assertEquals(0, build.exitCode(), build.output());

        String java = out.resolve("java/bin/java").toString();
        String jar = out.resolve("berth.jar").toString();
        assertTrue(run(temp, java, "--list-modules").output().contains("jdk.crypto.ec"), "SunEC for TLS");
        Result version = run(temp, java, "-jar", jar, "--version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().startsWith("berth "), version.output());

        TestDatabase db = TestDatabase.get();
        BerthProcess berth = BerthProcess.launch("jlinked", Path.of(java), Path.of(jar), List.of(),
                Map.of("BERTH_BACKEND_PASSWORD", db.rootPassword()), List.of("--backend", db.hostPort(),
                        "--backend-user", db.rootUser(), "--user", "app:secret", "--http-listen", "127.0.0.1:0"));
        try {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + berth.hostPort()
                    + "/?sslMode=disable", "app", "secret"); ResultSet r = c.createStatement().executeQuery("SELECT 7")) {
                assertTrue(r.next());
                assertEquals(7, r.getInt(1));
            }
            String url = "http://127.0.0.1:" + berth.httpPort();
            assertEquals(0, run(temp, java, "-cp", jar, "dev.berth.proxy.cli.Probe", url + "/liveness").exitCode());
            assertEquals(1, run(temp, java, "-cp", jar, "dev.berth.proxy.cli.Probe", url + "/missing").exitCode());
            String metrics = new Scrape(berth.httpPort()).metrics();
            assertTrue(metrics.contains("jvm_memory_used_bytes{area=\"heap\"}"), metrics);
            assertTrue(metrics.contains("berth_pool_open_connections"), metrics);
        } finally {
            berth.close();
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Path directory, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("MAVEN_ARGS", "-o -q"); // the outer build has filled the local repository
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /** Copies a file or a tree, leaving out build output as docker/Dockerfile.dockerignore does. */
    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(file);
                if (isBuildOutput(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean isBuildOutput(Path relative) {
        for (Path part : relative) {
            if (part.toString().equals("target")) {
                return true;
            }
        }
        return false;
    }
}
