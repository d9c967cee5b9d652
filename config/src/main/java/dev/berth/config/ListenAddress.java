package dev.berth.config;

import java.nio.file.Path;

/** Where Berth accepts clients: a TCP host and port, or a unix domain socket. */
public sealed interface ListenAddress {

    record Tcp(String host, int port) implements ListenAddress {
        public Tcp {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 0-65535");
            }
        }

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    record Unix(Path path) implements ListenAddress {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** Parses {@code host:port}, {@code [v6]:port}, {@code :port} (all interfaces) or {@code unix:/path}. */
    static ListenAddress parse(String text) {
        if (text.startsWith("unix:")) {
            String path = text.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' names no socket path; use unix:/path/to/berth.sock");
            }
            return new Unix(Path.of(path));
        }
        HostPort hostPort = HostPort.parse(text, "0.0.0.0");
        return new Tcp(hostPort.host(), hostPort.port());
    }
}
