package dev.hellonet.log;

import dev.hellonet.config.HellonetConfig.LogConfig;
import dev.hellonet.config.HellonetConfig.LogFormat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Routes every java.util.logging record (ours, Vert.x's and Netty's) to standard output, one line per event, in the
 * configured format and from the configured level on.
 *
 * <p>Standard output because that is what container runtimes collect; one line per event so that a log pipeline
 * never has to stitch a stack trace back together. Nothing on the request path logs, so the handler's lock is not
 * contended in normal operation.
 */
public final class LogSetup {
  private LogSetup() {}

  /** Replaces the root logger's handlers with one that writes {@code config}'s format to {@code System.out}. */
  public static void install(LogConfig config) {
    install(config, System.out);
  }

  /** As {@link #install(LogConfig)}, writing to {@code out}; returns the handler it installed. */
  public static Handler install(LogConfig config, OutputStream out) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Formatter formatter = config.format() == LogFormat.JSON ? new JsonLineFormatter() : new TextLineFormatter();
    Handler handler = new FlushingHandler(out instanceof PrintStream ps ? ps : new PrintStream(out, true), formatter);
    handler.setLevel(config.level().julLevel());
    root.setLevel(config.level().julLevel());
    root.addHandler(handler);
    return handler;
  }

  /** A stream handler that flushes after every record, so a line is out before the process can die. */
  private static final class FlushingHandler extends StreamHandler {
    FlushingHandler(OutputStream out, Formatter formatter) {
      super(out, formatter);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      super.publish(record);
      flush();
    }

    /** Never closes standard output, which the process still needs after logging is torn down. */
    @Override
    public synchronized void close() {
      flush();
    }
  }
}
