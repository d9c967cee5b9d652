package dev.berth.config;

import java.util.Locale;

/** Which of Netty's transports serves the sockets: {@code --transport}. */
public enum TransportKind {
    /** io_uring where the kernel allows it, else epoll where the platform has it, else NIO. */
    AUTO,
    EPOLL,
    /** Linux's io_uring: batched submission (kernel 5.14+, and not refused by a seccomp profile). */
    IO_URING,
    NIO;

    /** {@code auto}, {@code epoll}, {@code io_uring} (or {@code io-uring}), {@code nio}. */
    public static TransportKind parse(String text) {
        String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (TransportKind kind : values()) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("--transport must be auto, epoll, io_uring or nio, got '" + text + "'");
    }
}
