package dev.berth.proxy.frontend;

import io.netty.channel.EventLoop;

/** Work handed to a channel's event loop. */
final class Loops {
    private Loops() {
    }

    /**
     * Runs {@code task} now when on {@code loop}, else queues it there (behind what is queued already). Queuing on the
     * loop one is already on is not the same: the loop handles all its I/O completions before its queued tasks, so a
     * command for a backend connection, or the close of a client, would fall behind a client command read in the same
     * turn (io_uring makes this common; see docs/ARCHITECTURE.md, "Threads").
     */
    static void runOn(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
