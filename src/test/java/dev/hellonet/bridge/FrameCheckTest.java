package dev.hellonet.bridge;

import dev.hellonet.bus.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame check on its own: what passes, in what form, and what is refused with which code. */
class FrameCheckTest {
  private static final String TOKEN = "frame-check-token-0123456789";
  private final FrameCheck open = new FrameCheck("");
  private final FrameCheck guarded = new FrameCheck(TOKEN);
  private static final String CLIENT = "192.0.2.5";

  private static FrameCheck.Verdict check(FrameCheck check, Buffer payload) {
    return check.check(payload, CLIENT);
  }

  private static Buffer payload(JsonObject frame) {
    return frame.toBuffer();
  }

  private static JsonObject forwarded(FrameCheck.Verdict verdict) {
    FrameCheck.Accepted accepted = assertInstanceOf(FrameCheck.Accepted.class, verdict);
    Buffer frame = accepted.frame();
    assertEquals(frame.length() - 4, frame.getInt(0), "length prefix");
    return new JsonObject(frame.getBuffer(4, frame.length()));
  }

  private static void assertRefused(FrameCheck.Verdict verdict, FrameCheck.Refusal refusal, String mentions) {
    FrameCheck.Refused refused = assertInstanceOf(FrameCheck.Refused.class, verdict);
    assertEquals(refusal, refused.refusal(), refused.reason());
    assertTrue(refused.reason().contains(mentions), refused.reason());
  }

  @Test
  void acceptedRequestIsRebuiltFromTheCheckedFieldsWithoutTheToken() {
    JsonObject frame = new JsonObject().put("type", "send").put("address", Addresses.CRAWL_GET)
        .put("replyAddress", "c.1").put("body", new JsonObject().put("id", "j-1"))
        .put("headers", new JsonObject().put("token", TOKEN).put("timeout", 5000)).put("extra", "dropped");

    FrameCheck.Verdict verdict = check(guarded, payload(frame));

    assertEquals("c.1", ((FrameCheck.Accepted) verdict).replyAddress());
    assertEquals(new JsonObject().put("type", "send").put("address", Addresses.CRAWL_GET).put("replyAddress", "c.1")
        .put("headers", new JsonObject().put("timeout", 5000L)).put("body", new JsonObject().put("id", "j-1")),
        forwarded(verdict));
  }

  @Test
  void sendWithoutReplyAddressIsRefusedSoThatEveryRequestCountsInFlight() {
    assertRefused(check(open, payload(new JsonObject().put("type", "send").put("address", Addresses.CRAWL_START)
        .put("body", new JsonObject()))), FrameCheck.Refusal.INVALID_FRAME, "replyAddress: required");
  }

  @Test
  void tokenIsCheckedBeforeAnythingElse() {
    assertRefused(check(guarded, payload(new JsonObject().put("type", "nonsense"))), FrameCheck.Refusal.UNAUTHORIZED,
        "token");
    assertRefused(check(guarded, payload(new JsonObject().put("type", "ping")
        .put("headers", new JsonObject().put("token", 12345)))), FrameCheck.Refusal.UNAUTHORIZED, "token");
    forwarded(check(guarded, payload(new JsonObject().put("type", "ping")
        .put("headers", new JsonObject().put("token", TOKEN)))));
  }

  @Test
  void permissionsFollowTheDirection() {
    assertRefused(check(open, payload(new JsonObject().put("type", "send").put("address", Addresses.COUNTERS))),
        FrameCheck.Refusal.ACCESS_DENIED, Addresses.COUNTERS);
    assertRefused(check(open, payload(new JsonObject().put("type", "register").put("address", Addresses.CRAWL_START))),
        FrameCheck.Refusal.ACCESS_DENIED, Addresses.CRAWL_START);
    assertRefused(check(open, payload(new JsonObject().put("type", "publish").put("address", Addresses.CRAWL_START))),
        FrameCheck.Refusal.ACCESS_DENIED, "publish");
    forwarded(check(open, payload(new JsonObject().put("type", "unregister").put("address", Addresses.CRAWL_PROGRESS))));
  }

  @Test
  void headersAndReplyAddressesAreBounded() {
    JsonObject send = new JsonObject().put("type", "send").put("address", Addresses.COUNTERS_GET)
        .put("replyAddress", "c.1");
    assertRefused(check(open, payload(send.copy().put("headers", new JsonObject().put("timeout", 300_001)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.timeout");
    assertRefused(check(open, payload(send.copy().put("headers", new JsonObject().put("timeout", 0)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.timeout");
    assertRefused(check(open, payload(send.copy().put("headers", new JsonObject().put("localOnly", false)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.localOnly");
    assertRefused(check(open, payload(send.copy().put("headers", "token"))), FrameCheck.Refusal.INVALID_FRAME,
        "headers");
    assertRefused(check(open, payload(send.copy().put("replyAddress", "has \"quotes\""))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
    assertRefused(check(open, payload(send.copy().put("replyAddress", "r".repeat(129)))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
    assertRefused(check(open, payload(send.copy().put("replyAddress", Addresses.COUNTERS))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
  }

  @Test
  void malformedFramesAreNamed() {
    assertRefused(check(open, Buffer.buffer("{\"type\":")), FrameCheck.Refusal.INVALID_JSON, "not a JSON object");
    assertRefused(check(open, Buffer.buffer("\"ping\"")), FrameCheck.Refusal.INVALID_JSON, "not a JSON object");
    assertRefused(check(open, payload(new JsonObject().put("address", Addresses.COUNTERS_GET))),
        FrameCheck.Refusal.UNKNOWN_TYPE, "type");
    assertRefused(check(open, payload(new JsonObject().put("type", "send").put("address", 7))),
        FrameCheck.Refusal.MISSING_ADDRESS, "address");
  }

  @Test
  void aCrawlStartCarriesTheClientsAddressForItsShareAndAClientCannotSetIt() {
    JsonObject start = new JsonObject().put("type", "send").put("address", Addresses.CRAWL_START)
        .put("replyAddress", "r1").put("body", new JsonObject());
    FrameCheck.Verdict verdict = check(open, payload(start));
    assertTrue(verdict instanceof FrameCheck.Accepted, verdict::toString);
    JsonObject sent = new JsonObject(((FrameCheck.Accepted) verdict).frame().getBuffer(4,
        ((FrameCheck.Accepted) verdict).frame().length()));
    assertEquals(CLIENT, sent.getJsonObject("headers").getString(Addresses.HEADER_CLIENT), sent::encode);
    FrameCheck.Verdict get = check(open, payload(start.copy().put("address", Addresses.CRAWL_GET)));
    assertFalse(new String(((FrameCheck.Accepted) get).frame().getBytes()).contains(CLIENT), "only on a crawl start");
    assertRefused(check(open, payload(start.copy().put("headers", new JsonObject().put(Addresses.HEADER_CLIENT,
        "10.9.9.9")))), FrameCheck.Refusal.INVALID_FRAME, "unknown header");
  }
}
