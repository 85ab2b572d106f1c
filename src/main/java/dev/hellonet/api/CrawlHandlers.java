package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * The crawl endpoints: each forwards the validated request to the crawler over the event bus and answers with the
 * crawler's JSON unchanged. The crawler's own request check (which names fields) stays the second line of defence.
 */
final class CrawlHandlers {
  static final String BASE = "/api/crawls";
  private final BusClient bus;

  CrawlHandlers(BusClient bus) {
    this.bus = bus;
  }

  void start(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    // The source address is who asks, for the crawler's per-client share of running jobs (crawler.*PerClient).
    String client = rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
    JsonReplies.reply(rc, bus.request(Addresses.CRAWL_START, body, Addresses.HEADER_CLIENT, client), 202, job ->
        rc.response().putHeader(HttpHeaders.LOCATION, BASE + "/" + job.getString("id")));
  }

  void list(RoutingContext rc) {
    ValidatedRequest validated = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject query = new JsonObject();
    RequestParameter limit = validated.getQuery().get("limit");
    if (limit != null && !limit.isNull()) {
      query.put("limit", limit.getInteger());
    }
    RequestParameter cursor = validated.getQuery().get("cursor");
    if (cursor != null && !cursor.isNull()) {
      query.put("cursor", cursor.getString());
    }
    JsonReplies.reply(rc, bus.request(Addresses.CRAWL_LIST, query), 200);
  }

  void get(RoutingContext rc) {
    ValidatedRequest validated = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject query = idOf(rc);
    for (String name : new String[] {"offset", "limit"}) {
      RequestParameter p = validated.getQuery().get(name);
      if (p != null && !p.isNull()) {
        query.put(name, p.getInteger());
      }
    }
    JsonReplies.reply(rc, bus.request(Addresses.CRAWL_GET, query), 200);
  }

  void cancel(RoutingContext rc) {
    JsonReplies.reply(rc, bus.request(Addresses.CRAWL_CANCEL, idOf(rc)), 202);
  }

  private static JsonObject idOf(RoutingContext rc) {
    return new JsonObject().put("id", rc.pathParam("id"));
  }
}
