package dev.hellonet.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Event-bus requests with the API's timeout, answering JSON objects: the HTTP verticle's only way to the other roles.
 * Every address it asks is served on this node (the roles' local consumers route onward), so requests are delivered
 * locally: a clustered send first asks the cluster manager where the address lives, and while a member leaves or
 * freezes that question waits until the member is dropped (some 10 s), which would hold every API call up.
 */
final class BusClient {
  private final Vertx vertx;
  private final DeliveryOptions options;

  BusClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true);
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return request(address, body, options);
  }

  /** The same with one message header (such as {@code Addresses.HEADER_CLIENT}). */
  Future<JsonObject> request(String address, JsonObject body, String header, String value) {
    return request(address, body, new DeliveryOptions(options).addHeader(header, value));
  }

  private Future<JsonObject> request(String address, JsonObject body, DeliveryOptions options) {
    return vertx.eventBus().<Object>request(address, body, options).map(msg -> {
      if (msg.body() instanceof JsonObject json) {
        return json;
      }
      throw new IllegalStateException(address + " answered with " + (msg.body() == null ? "nothing"
          : msg.body().getClass().getSimpleName()) + " instead of a JSON object");
    });
  }
}
