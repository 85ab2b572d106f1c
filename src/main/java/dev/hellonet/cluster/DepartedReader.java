package dev.hellonet.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads the cluster map of departed nodes' figures within a bound, and answers the last whole read (marked stale)
 * while the map cannot answer. While a member leaves, its partitions of the map move to the others and a read waits
 * for them, up to Hazelcast's call timeout of a minute; the counters must keep answering meanwhile. A departed node's
 * figures do not change once written, so the last read lacks at most the nodes that left since.
 */
final class DepartedReader {
  /** One read: the entries as {@link DepartedFold#read} gives them, and whether they are the last read's. */
  record Read(Map<String, JsonObject> entries, boolean stale) {}

  private final AsyncMap<String, JsonObject> last;
  private final long timeoutMs;
  private Map<String, JsonObject> lastRead = Map.of();

  DepartedReader(AsyncMap<String, JsonObject> last, long timeoutMs) {
    this.last = last;
    this.timeoutMs = timeoutMs;
  }

  /** Never fails: the map's entries if read in time, else the last ones read (empty before the first). */
  Future<Read> read() {
    return DepartedFold.read(last).timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.succeeded()) {
        lastRead = ar.result();
        return Future.succeededFuture(new Read(lastRead, false));
      }
      return Future.succeededFuture(new Read(lastRead, true));
    });
  }
}
