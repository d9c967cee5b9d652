package dev.berth.proxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ListenAddress;
import dev.berth.proxy.cli.BerthCommand;
import dev.berth.proxy.cli.ByteSizeConverter;
import dev.berth.proxy.cli.DurationConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks docker/: no container engine runs in CI, so the Dockerfile, compose.yaml and the Kubernetes example are
 * read as text and YAML, and their Berth flags are parsed by {@link BerthCommand} as the container would.
 */
class DeploymentManifestsTest {

    // Surefire runs in the module's directory, proxy/.
    private static final Path ROOT = Path.of("..");
    private static final Path DOCKER = ROOT.resolve("docker");
    /** Non-heap memory of the JVM on top of heap and direct buffers: docs/BENCHMARKS.md measured about 60 MB. */
    private static final long JVM_OVERHEAD = 64L << 20;

    @TempDir
    Path temp;

    @Test
    void dockerfileCopiesEveryReactorModuleAndBuildsWithTheScript() throws IOException {
        String dockerfile = read(DOCKER.resolve("Dockerfile"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(read(ROOT.resolve("pom.xml")));
        int modules = 0;
        while (module.find()) {
            modules++;
            assertTrue(dockerfile.contains("COPY " + module.group(1) + " " + module.group(1) + "\n"),
                    "Maven reads every module of the reactor; the Dockerfile does not COPY " + module.group(1));
        }
        assertTrue(modules >= 4, "modules found in pom.xml: " + modules);
        assertTrue(dockerfile.contains("COPY docker/build-runtime.sh docker/build-runtime.sh\n"), dockerfile);
        assertTrue(dockerfile.contains("RUN bash docker/build-runtime.sh /out\n"), dockerfile);

        String script = read(DOCKER.resolve("build-runtime.sh"));
        for (String option : List.of("--strip-debug", "--no-header-files", "--no-man-pages", "--compress")) {
            assertTrue(script.contains(option), "jlink " + option);
        }
    }

    @Test
    void dockerfileRunsAsANumericNonRootUserWithALivenessHealthcheck() throws IOException {
        String dockerfile = read(DOCKER.resolve("Dockerfile"));
        assertNotEquals(0, imageUid());
        Matcher healthcheck = Pattern.compile("(?s)HEALTHCHECK (.*?)\n(?=\\S)").matcher(dockerfile + "\n.");
        assertTrue(healthcheck.find(), "no HEALTHCHECK");
        assertTrue(healthcheck.group(1).contains("dev.berth.proxy.cli.Probe"), healthcheck.group(1));
        assertTrue(healthcheck.group(1).contains("http://127.0.0.1:" + imageHttpPort() + "/liveness"),
                healthcheck.group(1));
    }

    @Test
    void imageJvmFlagsAreThoseOfTheBenchmarks() throws IOException {
        Matcher block = Pattern.compile("(?s)## Berth's JVM configuration.*?```\n(.*?)```")
                .matcher(read(ROOT.resolve("docs/BENCHMARKS.md")));
        assertTrue(block.find(), "docs/BENCHMARKS.md has no JVM configuration block");
        List<String> benchmarked = Arrays.asList(block.group(1).strip().split("\\s+"));
        List<String> image = Arrays.asList(imageJvmOptions().split("\\s+"));
        assertEquals(benchmarked, image);
        assertTrue(image.contains("-XX:MaxDirectMemorySize=128m"), image.toString());
    }

    @Test
    void composeStartsEachServiceOnceTheOneBeforeIsHealthy() throws IOException {
        Map<String, Object> services = map(yaml(DOCKER.resolve("compose.yaml")), "services");
        assertEquals(List.of("mariadb", "berth", "client"), List.copyOf(services.keySet()));
        Map<String, Object> mariadb = map(services, "mariadb");
        Map<String, Object> berth = map(services, "berth");
        assertTrue(list(map(mariadb, "healthcheck"), "test").contains("healthcheck.sh"), mariadb.toString());
        List<Object> berthCheck = list(map(berth, "healthcheck"), "test");
        assertTrue(berthCheck.contains("dev.berth.proxy.cli.Probe"), berthCheck.toString());
        assertTrue(berthCheck.contains("http://127.0.0.1:" + imageHttpPort() + "/readiness"), berthCheck.toString());
        assertEquals("service_healthy", map(map(berth, "depends_on"), "mariadb").get("condition"));
        assertEquals("service_healthy", map(map(map(services, "client"), "depends_on"), "berth").get("condition"));

        // The image's environment plus compose's, parsed as Berth would.
        Map<String, String> environment = new HashMap<>(imageEnvironment());
        map(berth, "environment").forEach((name, value) -> environment.put(name, String.valueOf(value)));
        BerthConfig config = BerthCommand.toConfig(environment);
        assertEquals(List.of("app"), List.copyOf(config.users().keySet()));
        assertTrue(DurationConverter.parse((String) berth.get("stop_grace_period"))
                        .compareTo(config.operations().shutdownTimeout()) > 0,
                "stop_grace_period must exceed --shutdown-timeout");
        assertEquals(Boolean.TRUE, berth.get("read_only"));
        assertTrue(list(berth, "tmpfs").contains("/tmp"), "a read-only Berth needs a writable /tmp");
    }

    @Test
    void kubernetesRunsBerthAsANativeSidecarWithHttpProbes() throws IOException {
        Map<String, Object> pod = podSpec();
        Map<String, Object> berth = berthContainer(pod);
        assertEquals("Always", berth.get("restartPolicy"), "a native sidecar is an init container restarted Always");
        int httpPort = berthConfig(berth).operations().httpListen().orElseThrow().port();
        for (String probe : List.of("startup", "readiness", "liveness")) {
            Map<String, Object> httpGet = map(map(berth, probe + "Probe"), "httpGet");
            assertEquals("/" + probe, httpGet.get("path"));
            assertEquals(httpPort, httpGet.get("port"), probe + "Probe port");
        }
    }

    @Test
    void kubernetesBerthIsLockedDownAsInTheImage() throws IOException {
        Map<String, Object> berth = berthContainer(podSpec());
        Map<String, Object> securityContext = map(berth, "securityContext");
        assertEquals(Boolean.TRUE, securityContext.get("readOnlyRootFilesystem"));
        assertEquals(Boolean.TRUE, securityContext.get("runAsNonRoot"));
        assertEquals(Boolean.FALSE, securityContext.get("allowPrivilegeEscalation"));
        assertEquals(imageUid(), securityContext.get("runAsUser"));
        // With a read-only root, /tmp must be a volume: the JVM and Netty's epoll library are written there.
        assertTrue(mountPaths(berth).contains("/tmp"), "no writable /tmp");
    }

    @Test
    void kubernetesMemoryCoversHeapDirectBuffersAndOverhead() throws IOException {
        Map<String, Object> berth = berthContainer(podSpec());
        String jvmOptions = environment(berth).getOrDefault("JDK_JAVA_OPTIONS", imageJvmOptions());
        long needed = jvmSize(jvmOptions, "-Xmx") + jvmSize(jvmOptions, "-XX:MaxDirectMemorySize=") + JVM_OVERHEAD;
        Map<String, Object> resources = map(berth, "resources");
        long limit = quantity((String) map(resources, "limits").get("memory"));
        assertTrue(limit >= needed, "limits.memory " + limit + " < heap + direct + overhead " + needed);
        // The heap is fixed and pre-touched: all of it is in use from the start, so request what is used.
        assertEquals(limit, quantity((String) map(resources, "requests").get("memory")));
    }

    @Test
    void kubernetesGracePeriodExceedsTheShutdownTimeout() throws IOException {
        Map<String, Object> pod = podSpec();
        Duration shutdownTimeout = berthConfig(berthContainer(pod)).operations().shutdownTimeout();
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        assertTrue(grace > shutdownTimeout.toSeconds(), grace + " s <= --shutdown-timeout " + shutdownTimeout);
    }

    @Test
    void kubernetesSharesTheUnixSocketWithTheApplication() throws IOException {
        Map<String, Object> pod = podSpec();
        Map<String, Object> berth = berthContainer(pod);
        BerthConfig config = berthConfig(berth);
        Path socketDirectory = config.listen().stream()
                .filter(ListenAddress.Unix.class::isInstance)
                .map(address -> ((ListenAddress.Unix) address).path().getParent())
                .findFirst().orElseThrow(() -> new AssertionError("no --listen unix:"));
        String volume = volumeMountedAt(berth, socketDirectory.toString());
        Map<String, Object> declared = list(pod, "volumes").stream().map(DeploymentManifestsTest::asMap)
                .filter(v -> volume.equals(v.get("name"))).findFirst().orElseThrow();
        assertTrue(declared.containsKey("emptyDir"), declared.toString());
        Map<String, Object> app = asMap(list(pod, "containers").get(0));
        assertEquals(volume, volumeMountedAt(app, socketDirectory.toString()));

        // The application runs as another UID: the socket's mode must let it read and write, through the pod's
        // fsGroup (Berth's group, then) or through "others".
        int mode = config.operations().unixSocketMode().orElseThrow(() -> new AssertionError("no --listen-mode"));
        assertNotEquals(asMap(berth.get("securityContext")).get("runAsUser"), asMap(app.get("securityContext")).get("runAsUser"));
        boolean group = (mode & 0060) == 0060 && imageUid() == (Integer) map(pod, "securityContext").get("fsGroup");
        assertTrue(group || (mode & 0006) == 0006, "mode " + Integer.toOctalString(mode));
    }

    // --- the image

    private static int imageUid() throws IOException {
        Matcher user = Pattern.compile("(?m)^USER (\\d+)(?::\\d+)?$").matcher(read(DOCKER.resolve("Dockerfile")));
        assertTrue(user.find(), "the Dockerfile needs USER with a numeric UID (runAsNonRoot cannot check a name)");
        return Integer.parseInt(user.group(1));
    }

    /** The ENV lines of the Dockerfile, one variable each or several joined by backslash-newlines. */
    private static Map<String, String> imageEnvironment() throws IOException {
        String dockerfile = read(DOCKER.resolve("Dockerfile")).replace("\\\n", " ");
        Map<String, String> environment = new HashMap<>();
        Matcher line = Pattern.compile("(?m)^ENV (.*)$").matcher(dockerfile);
        while (line.find()) {
            Matcher pair = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(line.group(1));
            while (pair.find()) {
                environment.put(pair.group(1), pair.group(2).replace("\"", ""));
            }
        }
        return environment;
    }

    private static String imageJvmOptions() throws IOException {
        return imageEnvironment().get("JDK_JAVA_OPTIONS");
    }

    private static int imageHttpPort() throws IOException {
        return BerthCommand.toConfig(imageEnvironment()).operations().httpListen().orElseThrow().port();
    }

    // --- the Kubernetes example

    private static Map<String, Object> podSpec() throws IOException {
        Map<String, Object> deployment = yaml(DOCKER.resolve("kubernetes-sidecar.yaml"));
        return map(map(map(deployment, "spec"), "template"), "spec");
    }

    private static Map<String, Object> berthContainer(Map<String, Object> pod) {
        return list(pod, "initContainers").stream().map(DeploymentManifestsTest::asMap)
                .filter(c -> "berth".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("berth is not among the initContainers"));
    }

    /** Berth's configuration in the pod: its args and env, secrets and the users file stood in for. */
    private BerthConfig berthConfig(Map<String, Object> berth) throws IOException {
        Map<String, String> environment = new HashMap<>(imageEnvironment());
        environment.putAll(environment(berth));
        if (environment.containsKey("BERTH_USERS_FILE")) {
            Path users = Files.writeString(temp.resolve("users"), "app:secret\n");
            environment.put("BERTH_USERS_FILE", users.toString());
        }
        List<String> args = new ArrayList<>();
        list(berth, "args").forEach(arg -> args.add((String) arg));
        return BerthCommand.toConfig(environment, args.toArray(String[]::new));
    }

    private static Map<String, String> environment(Map<String, Object> container) {
        Map<String, String> environment = new HashMap<>();
        for (Object entry : list(container, "env")) {
            Map<String, Object> variable = asMap(entry);
            Object value = variable.containsKey("value") ? variable.get("value") : "from-a-secret";
            environment.put((String) variable.get("name"), String.valueOf(value).strip());
        }
        return environment;
    }

    private static List<String> mountPaths(Map<String, Object> container) {
        return list(container, "volumeMounts").stream().map(m -> (String) asMap(m).get("mountPath")).toList();
    }

    private static String volumeMountedAt(Map<String, Object> container, String path) {
        return list(container, "volumeMounts").stream().map(DeploymentManifestsTest::asMap)
                .filter(m -> path.equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst()
                .orElseThrow(() -> new AssertionError(container.get("name") + " mounts nothing at " + path));
    }

    /** A JVM size flag's value in bytes, e.g. -Xmx256m. */
    private static long jvmSize(String options, String flag) {
        return Arrays.stream(options.split("\\s+")).filter(option -> option.startsWith(flag))
                .map(option -> ByteSizeConverter.parse(option.substring(flag.length())))
                .reduce((first, last) -> last).orElseThrow(() -> new AssertionError("no " + flag + " in " + options));
    }

    /** A Kubernetes memory quantity in bytes; the binary suffixes only, which is what the example uses. */
    private static long quantity(String text) {
        Matcher quantity = Pattern.compile("(\\d+)(Ki|Mi|Gi)").matcher(text);
        assertTrue(quantity.matches(), "memory as <n>Ki, Mi or Gi: " + text);
        int shift = switch (quantity.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        return Long.parseLong(quantity.group(1)) << shift;
    }

    // --- YAML

    private static Map<String, Object> yaml(Path file) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(read(file));
        return document;
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        assertTrue(child instanceof Map, key + " is not a mapping in " + parent);
        return asMap(child);
    }

    private static List<Object> list(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        assertTrue(child instanceof List, key + " is not a list in " + parent);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) child;
        return list;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return (Map<String, Object>) node;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
