package dev.berth.proxy.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.berth.config.OperationsConfig.LogFormat;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches the log output to {@code --log-format}. logback.xml configures text lines at class load, before the flags
 * are read; JSON replaces the encoder of its appenders afterwards with logback's {@link JsonEncoder}: one object a
 * line, with level, loggerName, message (the template, for grouping), formattedMessage (the text) and, for an
 * exception, throwable.
 */
final class LogFormats {

    private LogFormats() {
    }

    static void apply(LogFormat format) {
        apply((LoggerContext) LoggerFactory.getILoggerFactory(), format);
    }

    static void apply(LoggerContext context, LogFormat format) {
        if (format == LogFormat.TEXT) {
            return; // logback.xml's pattern
        }
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                JsonEncoder encoder = new JsonEncoder();
                encoder.setContext(context);
                // The encoder's default gives the template and its arguments, not the text; and the logger context
                // (its name and birth time), the same on every line.
                encoder.setWithFormattedMessage(true);
                encoder.setWithArguments(false);
                encoder.setWithContext(false);
                encoder.start();
                appender.stop();
                appender.setEncoder(encoder);
                appender.start();
            }
        }
    }
}
