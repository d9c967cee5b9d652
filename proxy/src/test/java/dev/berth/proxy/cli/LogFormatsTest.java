package dev.berth.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.OperationsConfig.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The production logback.xml, in a context of its own, writing to a captured stderr. */
class LogFormatsTest {

    @Test
    void jsonIsOneObjectALineWithLevelLoggerMessageAndException() throws Exception {
        List<String> lines = logged(LogFormat.JSON);

        assertEquals(2, lines.size(), String.join("\n", lines));
        ObjectMapper json = new ObjectMapper();
        JsonNode info = json.readTree(lines.get(0));
        assertEquals("INFO", info.get("level").asText());
        assertEquals("dev.berth.test", info.get("loggerName").asText());
        assertEquals("listening on {}\nand there", info.get("message").asText());
        assertEquals("listening on \"here\"\nand there", info.get("formattedMessage").asText());
        assertNull(info.get("context"), lines.get(0));
        JsonNode error = json.readTree(lines.get(1));
        assertEquals("ERROR", error.get("level").asText());
        assertEquals("java.io.IOException", error.get("throwable").get("className").asText(), lines.get(1));
        assertEquals("broken pipe", error.get("throwable").get("message").asText());
    }

    @Test
    void textStaysLogbackXmlsPattern() throws Exception {
        List<String> lines = logged(LogFormat.TEXT);

        assertTrue(lines.get(0).matches("\\S+ INFO  test \\[main\\] listening on \"here\""), lines.get(0));
        assertTrue(lines.contains("java.io.IOException: broken pipe"), String.join("\n", lines));
    }

    private static List<String> logged(LogFormat format) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's initialisation gives the global context
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormats.class.getResource("/logback.xml"));
            LogFormats.apply(context, format);
            Logger log = context.getLogger("dev.berth.test");
            log.info("listening on {}\nand there", "\"here\"");
            log.error("lost a client", new IOException("broken pipe"));
        } finally {
            context.stop();
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
