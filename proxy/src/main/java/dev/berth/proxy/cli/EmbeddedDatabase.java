package dev.berth.proxy.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The throwaway database server of {@code --backend embedded}, on 127.0.0.1, root with an empty password. Implemented
 * outside berth.jar (see {@link EmbeddedBackend}), as a service.
 */
public interface EmbeddedDatabase extends AutoCloseable {

    /** Starts the server on {@code port} (0 for a free one); takes seconds. */
    void start(int port) throws IOException;

    int port();

    /** The temporary directory holding the server's files and data, deleted by {@link #close()}. */
    Path directory();

    /** Stops the server and deletes its directory. */
    @Override
    void close();
}
