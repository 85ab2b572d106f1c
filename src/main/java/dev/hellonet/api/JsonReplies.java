package dev.hellonet.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;

/**
 * Answers a request with the JSON a role sends back over the event bus, or hands the role's failure to the router's
 * error handler; every endpoint that forwards to a role (crawls, counters, status) replies through here.
 */
final class JsonReplies {
  private JsonReplies() {}

  /** Replies {@code status} with {@code answer}'s JSON once it arrives. */
  static void reply(RoutingContext rc, Future<JsonObject> answer, int status) {
    reply(rc, answer, status, json -> { });
  }

  /** As {@link #reply(RoutingContext, Future, int)}, letting {@code headers} add headers taken from the answer. */
  static void reply(RoutingContext rc, Future<JsonObject> answer, int status, Consumer<JsonObject> headers) {
    answer.onComplete(ar -> {
      if (rc.response().ended() || rc.response().closed()) {
        return; // the client went away while the role was answering
      }
      if (ar.failed()) {
        rc.fail(ar.cause());
        return;
      }
      headers.accept(ar.result());
      rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(ar.result().toBuffer());
    });
  }
}
