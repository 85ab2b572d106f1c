package dev.hellonet.bridge;

import dev.hellonet.bus.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frame check on its own: what passes, in what form, and what is refused with which code. */
class FrameCheckTest {
  private static final String TOKEN = "frame-check-token-0123456789";
  private final FrameCheck open = new FrameCheck("");
  private final FrameCheck guarded = new FrameCheck(TOKEN);

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

    FrameCheck.Verdict verdict = guarded.check(payload(frame));

    assertEquals("c.1", ((FrameCheck.Accepted) verdict).replyAddress());
    assertEquals(new JsonObject().put("type", "send").put("address", Addresses.CRAWL_GET).put("replyAddress", "c.1")
        .put("headers", new JsonObject().put("timeout", 5000L)).put("body", new JsonObject().put("id", "j-1")),
        forwarded(verdict));
  }

  @Test
  void sendWithoutReplyAddressIsRefusedSoThatEveryRequestCountsInFlight() {
    assertRefused(open.check(payload(new JsonObject().put("type", "send").put("address", Addresses.CRAWL_START)
        .put("body", new JsonObject()))), FrameCheck.Refusal.INVALID_FRAME, "replyAddress: required");
  }

  @Test
  void tokenIsCheckedBeforeAnythingElse() {
    assertRefused(guarded.check(payload(new JsonObject().put("type", "nonsense"))), FrameCheck.Refusal.UNAUTHORIZED,
        "token");
    assertRefused(guarded.check(payload(new JsonObject().put("type", "ping")
        .put("headers", new JsonObject().put("token", 12345)))), FrameCheck.Refusal.UNAUTHORIZED, "token");
    forwarded(guarded.check(payload(new JsonObject().put("type", "ping")
        .put("headers", new JsonObject().put("token", TOKEN)))));
  }

  @Test
  void permissionsFollowTheDirection() {
    assertRefused(open.check(payload(new JsonObject().put("type", "send").put("address", Addresses.COUNTERS))),
        FrameCheck.Refusal.ACCESS_DENIED, Addresses.COUNTERS);
    assertRefused(open.check(payload(new JsonObject().put("type", "register").put("address", Addresses.CRAWL_START))),
        FrameCheck.Refusal.ACCESS_DENIED, Addresses.CRAWL_START);
    assertRefused(open.check(payload(new JsonObject().put("type", "publish").put("address", Addresses.CRAWL_START))),
        FrameCheck.Refusal.ACCESS_DENIED, "publish");
    forwarded(open.check(payload(new JsonObject().put("type", "unregister").put("address", Addresses.CRAWL_PROGRESS))));
  }

  @Test
  void headersAndReplyAddressesAreBounded() {
    JsonObject send = new JsonObject().put("type", "send").put("address", Addresses.COUNTERS_GET)
        .put("replyAddress", "c.1");
    assertRefused(open.check(payload(send.copy().put("headers", new JsonObject().put("timeout", 300_001)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.timeout");
    assertRefused(open.check(payload(send.copy().put("headers", new JsonObject().put("timeout", 0)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.timeout");
    assertRefused(open.check(payload(send.copy().put("headers", new JsonObject().put("localOnly", false)))),
        FrameCheck.Refusal.INVALID_FRAME, "headers.localOnly");
    assertRefused(open.check(payload(send.copy().put("headers", "token"))), FrameCheck.Refusal.INVALID_FRAME,
        "headers");
    assertRefused(open.check(payload(send.copy().put("replyAddress", "has \"quotes\""))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
    assertRefused(open.check(payload(send.copy().put("replyAddress", "r".repeat(129)))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
    assertRefused(open.check(payload(send.copy().put("replyAddress", Addresses.COUNTERS))),
        FrameCheck.Refusal.INVALID_FRAME, "replyAddress");
  }

  @Test
  void malformedFramesAreNamed() {
    assertRefused(open.check(Buffer.buffer("{\"type\":")), FrameCheck.Refusal.INVALID_JSON, "not a JSON object");
    assertRefused(open.check(Buffer.buffer("\"ping\"")), FrameCheck.Refusal.INVALID_JSON, "not a JSON object");
    assertRefused(open.check(payload(new JsonObject().put("address", Addresses.COUNTERS_GET))),
        FrameCheck.Refusal.UNKNOWN_TYPE, "type");
    assertRefused(open.check(payload(new JsonObject().put("type", "send").put("address", 7))),
        FrameCheck.Refusal.MISSING_ADDRESS, "address");
  }
}
