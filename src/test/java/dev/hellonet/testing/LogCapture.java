package dev.hellonet.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records a java.util.logging logger (and every logger below it) publishes while a test holds this open, for tests
 * that check what is logged; closing it removes its handler again.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  /** Captures what {@code type}'s logger (named after the class) publishes. */
  public static LogCapture of(Class<?> type) {
    return new LogCapture(Logger.getLogger(type.getName()));
  }

  /** Captures every logger's records. */
  public static LogCapture all() {
    return new LogCapture(Logger.getLogger(""));
  }

  /** The records so far, oldest first. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Each record as {@code LEVEL logger: message} and its exception, if any, for assertions and their messages. */
  public List<String> lines() {
    return records.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
        + (r.getThrown() == null ? "" : " " + r.getThrown())).toList();
  }

  public void clear() {
    records.clear();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
