package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.server.BerthServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Berth warns at start when max idle is far below max open: the setting behind the articles' TIME_WAIT storm. */
class IdleChurnWarningIT {
    private final Logger logger = (Logger) LoggerFactory.getLogger(BerthServer.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
    }

    private List<String> warnings() {
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void maxIdleFarBelowMaxOpenIsWarnedAbout() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-open-conns", "100", "--max-idle-conns", "2")) {
            List<String> warnings = warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("--max-idle-conns 2 is far below --max-open-conns 100"),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("up to 98 backend connections are closed on release"),
                    warnings.get(0));
        }
    }

    @Test
    void theDefaultsAreNotWarnedAbout() throws Exception {
        try (RunningBerth berth = RunningBerth.start("--no-tls", "--max-open-conns", "100")) {
            assertEquals(List.of(), warnings());
        }
    }
}
