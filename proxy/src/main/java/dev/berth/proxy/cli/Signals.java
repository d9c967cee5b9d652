package dev.berth.proxy.cli;

import dev.berth.proxy.server.BerthServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * What the process does on signals, as an orchestrator sends them: SIGTERM (or SIGINT) drains the server for up to
 * {@code --shutdown-timeout}; a second one cuts the drain short; SIGHUP reloads the configuration. The JDK's shutdown
 * hooks can't do this: once one runs, a second signal has no effect, so the handlers are installed directly.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private final BerthServer server;
    private final Duration shutdownTimeout;
    private final Runnable reload;
    private final AtomicBoolean draining = new AtomicBoolean();

    private Signals(BerthServer server, Duration shutdownTimeout, Runnable reload) {
        this.server = server;
        this.shutdownTimeout = shutdownTimeout;
        this.reload = reload;
    }

    static void install(BerthServer server, Duration shutdownTimeout, Runnable reload) {
        Signals signals = new Signals(server, shutdownTimeout, reload);
        Signal.handle(new Signal("TERM"), signals::stop);
        Signal.handle(new Signal("INT"), signals::stop);
        Signal.handle(new Signal("HUP"), signal -> signals.reload());
    }

    private void stop(Signal signal) {
        if (draining.compareAndSet(false, true)) {
            log.info("SIG{}: draining for up to {} (send it again to stop at once)", signal.getName(),
                    DurationConverter.format(shutdownTimeout));
            Thread drain = new Thread(() -> server.drain(shutdownTimeout), "berth-drain");
            drain.start();
        } else {
            log.info("SIG{} again: stopping now", signal.getName());
            server.cutDrain();
        }
    }

    private void reload() {
        try {
            reload.run();
        } catch (RuntimeException e) {
            log.warn("SIGHUP: reload failed, running on with the configuration as it was: {}", e.getMessage());
        }
    }
}
