package dev.hellonet.app;

import dev.hellonet.config.HellonetConfig;
import dev.hellonet.crawl.job.CrawlSchema;
import dev.hellonet.crawl.job.PgCrawlStore;
import io.vertx.sqlclient.Pool;
import dev.hellonet.sequence.SequenceStores;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code hellonet init [--start N]} (also {@code init-sequence}): creates the configured sequence once, on purpose, so
 * that nodes can run with {@code sequence.createIfMissing=false} and a lost database or volume stops them instead of
 * starting the numbers again at 1; with {@code crawler.store=postgres} it also creates (or migrates) the crawl tables,
 * which nodes never create themselves. Running it again, or with a lower start, never lowers the mark.
 */
public final class InitSequence {
  /** The command's name on the command line. */
  public static final String COMMAND = "init";
  /** Its earlier name, which keeps working (the Kubernetes Job and scripts use it). */
  public static final String SEQUENCE_COMMAND = "init-sequence";
  private static final String USAGE = "usage: hellonet init [--start N]   (also init-sequence; N >= 1: the lowest"
      + " number the sequence may hand out next; default 1)";

  /** Whether {@code arg} names this command. */
  public static boolean names(String arg) {
    return arg.equals(COMMAND) || arg.equals(SEQUENCE_COMMAND);
  }

  private InitSequence() {}

  /** Runs the command ({@code args} after its name); the process's exit code: 0 done, 1 store failure, 2 usage. */
  public static int run(HellonetConfig config, String[] args, PrintStream out, PrintStream err) {
    long start = 1;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--start") && i + 1 < args.length) {
        try {
          start = Long.parseLong(args[++i]);
        } catch (NumberFormatException e) {
          start = 0;
        }
        if (start < 1) {
          err.println("hellonet init-sequence: --start must be a whole number >= 1, got \"" + args[i] + "\"");
          return 2;
        }
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println(USAGE);
        return 0;
      } else {
        err.println("hellonet init-sequence: unknown argument \"" + args[i] + "\"\n" + USAGE);
        return 2;
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      SequenceStores.Initialised done = SequenceStores.initialise(vertx, config.sequence(), start)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      out.println("hellonet init-sequence: " + done.summary());
      if (config.crawler().store().inPostgres()) {
        Pool pool = PgCrawlStore.pool(vertx, config.crawler().store());
        try {
          String schema = CrawlSchema.initialise(pool).toCompletionStage().toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
          out.println("hellonet init: " + schema);
        } finally {
          pool.close();
        }
      }
      return 0;
    } catch (ExecutionException e) {
      err.println("hellonet init-sequence: " + e.getCause().getMessage());
      return 1;
    } catch (Exception e) {
      err.println("hellonet init-sequence: " + e);
      return 1;
    } finally {
      vertx.close();
    }
  }
}
