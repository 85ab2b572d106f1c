package dev.hellonet.sequence;

import dev.hellonet.config.HellonetConfig.SequenceConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Opens the sequence store the configuration names ({@code sequence.store}): the one place that chooses. */
public final class SequenceStores {
  private SequenceStores() {}

  /** Opens and checks the store; fails with a {@link SequenceStoreException} saying what is wrong. */
  public static Future<SequenceStore> open(Vertx vertx, SequenceConfig config) {
    return switch (config.store()) {
      case "file" -> FileSequenceStore.open(vertx, config.file(), config.createIfMissing());
      case "postgres" -> PostgresSequenceStore.open(vertx, config.postgres(), config.createIfMissing());
      default -> Future.failedFuture(new SequenceStoreException("unknown sequence.store \"" + config.store() + "\""));
    };
  }
}
