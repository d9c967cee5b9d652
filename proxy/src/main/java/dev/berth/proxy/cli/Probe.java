package dev.berth.proxy.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;

/**
 * A health probe for images without curl: {@code java -cp berth.jar dev.berth.proxy.cli.Probe URL} GETs the URL and
 * exits 0 on an HTTP 2xx answer, 1 otherwise, with one line on stderr saying why.
 *
 * <p>{@link HttpURLConnection}, not {@code java.net.http}, so the image's runtime needs no module beyond
 * {@code java.base} for it.
 */
public final class Probe {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Probe() {
    }

    public static void main(String[] args) {
        System.exit(check(args, System.err));
    }

    /** The exit code for probing {@code args[0]}: 0 for a 2xx answer, 1 for anything else. */
    static int check(String[] args, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: java -cp berth.jar dev.berth.proxy.cli.Probe http://HOST:PORT/PATH");
            return 1;
        }
        try {
            // No proxy: a probe of the container's own port must not go through http_proxy settings.
            HttpURLConnection connection = (HttpURLConnection) URI.create(args[0]).toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout((int) TIMEOUT.toMillis());
            connection.setReadTimeout((int) TIMEOUT.toMillis());
            try {
                int status = connection.getResponseCode();
                if (status >= 200 && status < 300) {
                    return 0;
                }
                err.println("probe " + args[0] + ": HTTP " + status);
                return 1;
            } finally {
                connection.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("probe " + args[0] + ": " + e);
            return 1;
        }
    }
}
