package dev.hellonet.log;

import dev.hellonet.config.HellonetConfig.LogConfig;
import dev.hellonet.config.HellonetConfig.LogFormat;
import dev.hellonet.config.HellonetConfig.LogLevel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log lines in both formats: one line per event, the level filter, exceptions kept on the line. */
class LogSetupTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Logger log = Logger.getLogger("dev.hellonet.log.LogSetupTest");
  private Handler[] saved;
  private Level savedLevel;

  @BeforeEach
  void saveRoot() {
    Logger root = Logger.getLogger("");
    saved = root.getHandlers();
    savedLevel = root.getLevel();
  }

  @AfterEach
  void restoreRoot() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    for (Handler h : saved) {
      root.addHandler(h);
    }
    root.setLevel(savedLevel);
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonWritesOneObjectPerEventWithTheErrorOnTheSameLine() {
    LogSetup.install(new LogConfig(LogFormat.JSON, LogLevel.INFO), out);

    log.info("node \"a\" ready");
    log.log(Level.WARNING, "lease failed", new IllegalStateException("disk\nfull"));
    log.fine("not wanted at info");

    List<String> lines = lines();
    assertEquals(2, lines.size(), out.toString(StandardCharsets.UTF_8));
    JsonObject first = new JsonObject(lines.get(0));
    assertEquals("INFO", first.getString("level"));
    assertEquals("node \"a\" ready", first.getString("message"));
    assertEquals("dev.hellonet.log.LogSetupTest", first.getString("logger"));
    assertTrue(first.getString("time").endsWith("Z"), first.getString("time"));
    JsonObject second = new JsonObject(lines.get(1));
    assertEquals("WARN", second.getString("level"));
    assertEquals("java.lang.IllegalStateException: disk\nfull", second.getString("error"));
    assertTrue(second.getString("stack").contains("LogSetupTest.jsonWrites"), second.getString("stack"));
  }

  @Test
  void levelDebugLetsFineRecordsThroughAndErrorKeepsOnlySevere() {
    Handler handler = LogSetup.install(new LogConfig(LogFormat.JSON, LogLevel.DEBUG), out);
    log.fine("debug detail");
    log.finest("trace detail");
    handler.flush();
    assertEquals(List.of("DEBUG"), lines().stream().map(l -> new JsonObject(l).getString("level")).toList());

    out.reset();
    LogSetup.install(new LogConfig(LogFormat.JSON, LogLevel.ERROR), out);
    log.warning("a warning");
    log.severe("an error");
    assertEquals(List.of("an error"), lines().stream().map(l -> new JsonObject(l).getString("message")).toList());
  }

  @Test
  void textIsOneReadableLineWithLevelAndLogger() {
    LogSetup.install(new LogConfig(LogFormat.TEXT, LogLevel.INFO), out);

    log.warning("socket option not applied");

    List<String> lines = lines();
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).matches(
        "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN \\[dev\\.hellonet\\.log\\.LogSetupTest] "
            + "socket option not applied"), lines.get(0));
  }

  @Test
  void installingTwiceLeavesOneHandler() {
    LogSetup.install(new LogConfig(LogFormat.TEXT, LogLevel.INFO), out);
    LogSetup.install(new LogConfig(LogFormat.TEXT, LogLevel.INFO), out);

    log.info("once");

    assertEquals(1, lines().size());
  }
}
