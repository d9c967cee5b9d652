package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proxy.it.support.RunningBerth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --listen-mode sets the permissions of Berth's unix socket, so that an application running as another user (the
 * Kubernetes sidecar example's) can connect to it; without it the process umask decides.
 */
class UnixSocketModeIT {
    @TempDir
    Path dir;

    @Test
    void theSocketGetsTheGivenMode() throws Exception {
        Path socket = dir.resolve("berth.sock");
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--listen", "unix:" + socket, "--listen-mode",
                "0666")) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        }
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--listen", "unix:" + socket, "--listen-mode",
                "0600")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        }
    }
}
