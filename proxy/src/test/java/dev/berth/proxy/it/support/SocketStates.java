package dev.berth.proxy.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * TCP socket states as {@code ss} (iproute2) reports them, for tests about who keeps the TIME_WAIT socket. In a TIME_WAIT
 * line the local address is the side that closed first.
 */
public final class SocketStates {
    private SocketStates() {
    }

    /** Whether {@code ss} can be run here. */
    public static boolean available() {
        try {
            return run(List.of("ss", "-V")).exitCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** How many sockets are in TIME_WAIT that match an {@code ss} filter such as {@code ( dport = :3306 )}. */
    public static int timeWait(String filter) {
        return timeWaitSockets(filter).size();
    }

    /** The TIME_WAIT sockets matching {@code filter}, each as "local peer" (unique while they last). */
    public static Set<String> timeWaitSockets(String filter) {
        return timeWaitSockets(null, filter);
    }

    /** The same, inside network namespace {@code netns} (null for this process's own). */
    public static Set<String> timeWaitSockets(String netns, String filter) {
        return sockets(netns, "time-wait", filter);
    }

    /**
     * How many sockets are in {@code state} (an {@code ss} state name: {@code established}, {@code close-wait}, ...)
     * that match {@code filter}.
     */
    public static int count(String state, String filter) {
        return sockets(null, state, filter).size();
    }

    private static Set<String> sockets(String netns, String state, String filter) {
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(List.of("ip", "netns", "exec", netns));
        }
        command.addAll(List.of("ss", "-tanH", "state", state, filter));
        try {
            Result r = run(command);
            if (r.exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output);
            }
            Set<String> sockets = new HashSet<>();
            for (String line : r.output.split("\n")) {
                String[] f = line.trim().split("\\s+");
                // Recv-Q Send-Q Local Peer (the state column is left out when one state is asked for)
                if (f.length >= 4) {
                    sockets.add(f[f.length - 2] + " " + f[f.length - 1]);
                }
            }
            return sockets;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ss: " + e.getMessage(), e);
        }
    }

    record Result(int exitCode, String output) {
    }

    static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out);
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
