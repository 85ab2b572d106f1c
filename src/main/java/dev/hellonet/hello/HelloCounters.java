package dev.hellonet.hello;

import dev.hellonet.counters.SingleWriterCounter;
import io.vertx.core.json.JsonObject;

/** The live counters of one hello-server instance, written only by its event loop. */
final class HelloCounters {
  final SingleWriterCounter requests = new SingleWriterCounter();
  final SingleWriterCounter replies = new SingleWriterCounter();
  final SingleWriterCounter badRequests = new SingleWriterCounter();
  /** Requests answered {@code ERR unavailable} because the instance had no numbers while the store failed. */
  final SingleWriterCounter unavailable = new SingleWriterCounter();
  final SingleWriterCounter accepted = new SingleWriterCounter();
  final SingleWriterCounter closed = new SingleWriterCounter();

  JsonObject snapshot() {
    long acceptedNow = accepted.get();
    long closedNow = closed.get();
    return new JsonObject()
        .put("requests", requests.get())
        .put("replies", replies.get())
        .put("badRequests", badRequests.get())
        .put("unavailableReplies", unavailable.get())
        .put("connectionsAccepted", acceptedNow)
        .put("connectionsActive", acceptedNow - closedNow)
        .put("connectionsClosed", closedNow);
  }
}
