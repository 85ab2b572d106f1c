package dev.hellonet.guard;

import dev.hellonet.counters.SingleWriterCounter;
import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Connections refused or closed for abuse by one hello-server instance, one counter per {@link Reason}, written only
 * by that instance's event loop. Over-long requests are counted by the protocol itself; their count is read from
 * there so that one event is never counted in two places.
 */
public final class AbuseCounters {
  private final Map<Reason, SingleWriterCounter> counts = new EnumMap<>(Reason.class);
  private final LongSupplier requestTooLong;

  public AbuseCounters(LongSupplier requestTooLong) {
    this.requestTooLong = requestTooLong;
    for (Reason r : Reason.values()) {
      if (r != Reason.REQUEST_TOO_LONG) {
        counts.put(r, new SingleWriterCounter());
      }
    }
  }

  /** Only the owning event loop may call this. */
  void count(Reason reason) {
    counts.get(reason).add(1);
  }

  public long get(Reason reason) {
    return reason == Reason.REQUEST_TOO_LONG ? requestTooLong.getAsLong() : counts.get(reason).get();
  }

  /** {@code {"rejectedGlobalLimit": n, ..., "rejectedRequestTooLong": n}}, safe to call from any thread. */
  public JsonObject snapshot() {
    JsonObject out = new JsonObject();
    for (Reason r : Reason.values()) {
      out.put(r.counter(), get(r));
    }
    return out;
  }
}
