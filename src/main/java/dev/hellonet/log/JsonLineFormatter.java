package dev.hellonet.log;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code time} (ISO-8601, UTC), {@code level}, {@code logger}, {@code message}, and
 * {@code error} plus {@code stack} when the record carries an exception (newlines escaped, so still one line).
 */
final class JsonLineFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    JsonObject line = new JsonObject()
        .put("time", record.getInstant().toString())
        .put("level", LevelNames.of(record.getLevel()))
        .put("logger", record.getLoggerName())
        .put("message", formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", String.valueOf(record.getThrown()));
      line.put("stack", trace.toString().stripTrailing());
    }
    return line.encode() + "\n";
  }
}
