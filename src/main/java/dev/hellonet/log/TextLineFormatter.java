package dev.hellonet.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** {@code 2026-12-01 23:10:00.123 INFO [logger] message}, for people reading a terminal. */
final class TextLineFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    ZonedDateTime time = ZonedDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault());
    String thrown = "";
    if (record.getThrown() != null) {
      // A stack trace is the one multi-line exception a person wants to read as such.
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      thrown = System.lineSeparator() + trace.toString().stripTrailing();
    }
    return String.format("%1$tF %1$tT.%1$tL %2$s [%3$s] %4$s%5$s%n", time, LevelNames.of(record.getLevel()),
        record.getLoggerName(), formatMessage(record), thrown);
  }
}
