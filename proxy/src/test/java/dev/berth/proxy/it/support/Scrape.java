package dev.berth.proxy.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Berth's HTTP endpoint as Prometheus and an orchestrator's probes use it. */
public final class Scrape {
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    public Scrape(int port) {
        this.port = port;
    }

    public HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public int status(String path) throws IOException, InterruptedException {
        return get(path, null).statusCode();
    }

    /** /metrics in the Prometheus text format. */
    public String metrics() throws IOException, InterruptedException {
        return get("/metrics", null).body();
    }

    /** The value of the sample {@code series} (name and labels as exposed, e.g. {@code x{pool="p"}}), or NaN. */
    public static double value(String exposition, String series) {
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        return line.find() ? Double.parseDouble(line.group(1)) : Double.NaN;
    }
}
