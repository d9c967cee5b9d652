package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.berth.test.RateLimitedLogTest");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong clock = new AtomicLong(1_000);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void aFloodLogsTenLinesAWindowThenSaysHowManyWereDropped() {
        RateLimitedLog warnings = new RateLimitedLog(logger, clock::get);
        for (int i = 0; i < 25; i++) {
            warnings.warn("client {} denied", i);
        }
        assertEquals(RateLimitedLog.PER_WINDOW, lines.list.size());
        assertEquals("client 9 denied", lines.list.get(9).getFormattedMessage());
        assertEquals(List.of(RateLimitedLog.CLIENT_EVENT), lines.list.get(0).getMarkerList());

        clock.addAndGet(RateLimitedLog.WINDOW_NANOS);
        warnings.warn("client {} denied", 25);
        assertEquals("(15 more like the next were not logged) client 25 denied",
                lines.list.get(RateLimitedLog.PER_WINDOW).getFormattedMessage());
        warnings.warn("client {} denied", 26);
        assertEquals("client 26 denied", lines.list.get(RateLimitedLog.PER_WINDOW + 1).getFormattedMessage());
    }
}
