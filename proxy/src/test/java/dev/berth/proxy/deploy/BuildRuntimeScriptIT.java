package dev.berth.proxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs docker/build-runtime.sh, the image's build stage, on a copy of the sources (what the Dockerfile COPYs), then
 * runs the jlink'd runtime it made. Takes about a minute, a Maven build of its own included, so it runs only when
 * asked: {@code mvn -B verify -pl proxy -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=BuildRuntimeScriptIT -Dberth.test.buildRuntime=true}. Extra Maven flags for the inner build (e.g. -o)
 * go in MAVEN_ARGS.
 */
@EnabledIfSystemProperty(named = "berth.test.buildRuntime", matches = "true")
class BuildRuntimeScriptIT {

    private static final Path ROOT = Path.of("..");
    private static final List<String> SOURCES = List.of("pom.xml", "protocol-mysql", "config", "proxy", "bench", "docker");

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theScriptBuildsARuntimeThatRunsBerthAndTheProbe() throws Exception {
        Path sources = temp.resolve("src");
        for (String source : SOURCES) {
            copy(ROOT.resolve(source), sources.resolve(source));
        }
        Path out = temp.resolve("out");
        Result build = run(sources, "bash", "docker/build-runtime.sh", out.toString());
        assertEquals(0, build.exitCode(), build.output());

        String java = out.resolve("java/bin/java").toString();
        String jar = out.resolve("berth.jar").toString();
        Result version = run(temp, java, "-version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(run(temp, java, "--list-modules").output().contains("jdk.crypto.ec"), "SunEC for TLS");
        Result berth = run(temp, java, "-jar", jar, "--version");
        assertEquals(0, berth.exitCode(), berth.output());
        assertTrue(berth.output().startsWith("berth "), berth.output());

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/liveness", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(0, run(temp, java, "-cp", jar, "dev.berth.proxy.cli.Probe", url + "/liveness").exitCode());
            assertEquals(1, run(temp, java, "-cp", jar, "dev.berth.proxy.cli.Probe", url + "/missing").exitCode());
        } finally {
            server.stop(0);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
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
