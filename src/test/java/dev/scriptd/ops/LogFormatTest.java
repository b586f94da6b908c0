package dev.scriptd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

@DisplayName("The shipped logback.xml: level and format chosen by scriptd.log.level / scriptd.log.format")
class LogFormatTest {
  @AfterEach
  void clear() {
    System.clearProperty("scriptd.log.format");
    System.clearProperty("scriptd.log.level");
  }

  @Test
  @DisplayName("text by default, at INFO")
  void textByDefault() throws Exception {
    LoggerContext context = configure();
    assertInstanceOf(PatternLayoutEncoder.class, encoder(context));
    assertEquals(Level.INFO, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
  }

  @Test
  @DisplayName("json: one JSON object per line with the formatted message and key-value pairs")
  void json() throws Exception {
    System.setProperty("scriptd.log.format", "json");
    System.setProperty("scriptd.log.level", "DEBUG");
    LoggerContext context = configure();
    Encoder<ILoggingEvent> encoder = encoder(context);
    assertInstanceOf(JsonEncoder.class, encoder);
    assertEquals(Level.DEBUG, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    Logger logger = context.getLogger("dev.scriptd.Test");
    LoggingEvent event = new LoggingEvent(
        "fqcn", logger, Level.INFO, "run {} ended", null, new Object[] {"r1"});
    event.addKeyValuePair(new KeyValuePair("run_id", "r1"));
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    JsonObject json = new JsonObject(line.trim());
    assertEquals("run r1 ended", json.getString("formattedMessage"));
    assertEquals("INFO", json.getString("level"));
    assertTrue(json.getJsonArray("kvpList").encode().contains("\"run_id\":\"r1\""), line);
  }

  private static LoggerContext configure() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
    return context;
  }

  @SuppressWarnings("unchecked")
  private static Encoder<ILoggingEvent> encoder(LoggerContext context) {
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>)
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    return appender.getEncoder();
  }
}
