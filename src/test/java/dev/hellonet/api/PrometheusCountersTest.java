package dev.hellonet.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counters become Prometheus samples generically: new roles and counters need no code, families get labels. */
class PrometheusCountersTest {
  private static JsonObject role(JsonObject... instances) {
    return new JsonObject().put("total", new JsonObject()).put("instances", new JsonArray(java.util.List.of(
        (Object[]) instances)));
  }

  @Test
  void everyNumberOfEveryInstanceIsASampleWithFamiliesAsLabels() {
    JsonObject snapshot = new JsonObject().put("node", "1@h").put("time", 1L)
        .put("hello", role(new JsonObject().put("instance", "hello-0").put("replies", 7).put("connectionsActive", 2)
            .put("connectionsAccepted", 5).put("rejectedPerIpLimit", 3)))
        .put("protection", role(new JsonObject().put("instance", "guard-0").put("dropsTotal", 4)
            .put("rejections", new JsonObject().put("synFlood", 9).put("slow\"loris", 1))));
    String text = PrometheusCounters.render(snapshot);

    assertTrue(text.contains("# TYPE hellonet_hello_replies_total counter\nhellonet_hello_replies_total{instance=\"hello-0\"} 7\n"), text);
    assertTrue(text.contains("# TYPE hellonet_hello_connections gauge\nhellonet_hello_connections{instance=\"hello-0\",state=\"active\"} 2\n"), text);
    assertTrue(text.contains("hellonet_hello_connections_total{instance=\"hello-0\",state=\"accepted\"} 5\n"), text);
    assertTrue(text.contains("hellonet_hello_rejected_total{instance=\"hello-0\",reason=\"perIpLimit\"} 3\n"), text);
    assertTrue(text.contains("hellonet_protection_drops_total_total{instance=\"guard-0\"} 4\n"), text);
    assertTrue(text.contains("hellonet_protection_rejections_total{instance=\"guard-0\",reason=\"synFlood\"} 9\n"), text);
    assertTrue(text.contains("reason=\"slow\\\"loris\"} 1\n"), "label values are escaped: " + text);
    assertEquals(1, text.split("# TYPE hellonet_hello_connections_total ", -1).length - 1, "one header per family");
  }

  @Test
  void snakeCaseNamesAreValidPrometheusNames() {
    assertEquals("high_water_mark", PrometheusCounters.snake("highWaterMark"));
    assertEquals("a_b_c", PrometheusCounters.snake("a.b-c"));
  }
}
