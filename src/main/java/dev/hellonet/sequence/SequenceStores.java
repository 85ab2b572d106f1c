package dev.hellonet.sequence;

import dev.hellonet.config.HellonetConfig.SequenceConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Opens the sequence store the configuration names ({@code sequence.store}): the one place that chooses. */
public final class SequenceStores {
  private SequenceStores() {}

  /** Opens and checks the store; fails with a {@link SequenceStoreException} saying what is wrong. */
  public static Future<SequenceStore> open(Vertx vertx, SequenceConfig config) {
    return open(vertx, config, config.createIfMissing());
  }

  private static Future<SequenceStore> open(Vertx vertx, SequenceConfig config, boolean createIfMissing) {
    return switch (config.store()) {
      case "file" -> FileSequenceStore.open(vertx, config.file(), createIfMissing);
      case "postgres" -> PostgresSequenceStore.open(vertx, config.postgres(), createIfMissing);
      default -> Future.failedFuture(new SequenceStoreException("unknown sequence.store \"" + config.store() + "\""));
    };
  }

  /** What {@link #initialise} found and left: the mark before (0 if the sequence did not exist) and after. */
  public record Initialised(String store, long before, long after) {
    /** One line for the operator. */
    public String summary() {
      if (before == 0) {
        return "created the sequence " + store + ": the next number handed out is " + after;
      }
      return before < after ? "raised the sequence " + store + " from " + before + " to " + after
          : "the sequence " + store + " exists at " + before + "; left as it is (a mark is never lowered)";
    }
  }

  /**
   * The deliberate first start of a store (whatever {@code sequence.createIfMissing} says): creates the sequence
   * (file, or table and row) if it does not exist, and raises its mark to {@code start} if it is lower. Never lowers
   * it, so running it again, or with a smaller start, changes nothing. Raising is a lease of the difference, so
   * numbers nodes are handing out meanwhile stay unique.
   */
  public static Future<Initialised> initialise(Vertx vertx, SequenceConfig config, long start) {
    if (start < 1) {
      return Future.failedFuture(new IllegalArgumentException("the start must be >= 1, got " + start));
    }
    return open(vertx, config, false)
        .map(store -> new Opened(store, true))
        .recover(e -> e instanceof SequenceStoreException s && s.isMissing()
            ? open(vertx, config, true).map(store -> new Opened(store, false)) : Future.failedFuture(e))
        .compose(opened -> raise(opened, start)
            .transform(ar -> opened.store().close().transform(closed -> ar.succeeded()
                ? Future.succeededFuture(ar.result()) : Future.<Initialised>failedFuture(ar.cause()))));
  }

  private record Opened(SequenceStore store, boolean existed) {}

  private static Future<Initialised> raise(Opened opened, long start) {
    SequenceStore store = opened.store();
    return store.highWaterMark().compose(mark -> {
      long before = opened.existed() ? mark : 0;
      if (mark >= start) {
        return Future.succeededFuture(new Initialised(store.describe(), before, mark));
      }
      return store.lease(start - mark).map(block -> new Initialised(store.describe(), before, block.end()));
    });
  }
}
