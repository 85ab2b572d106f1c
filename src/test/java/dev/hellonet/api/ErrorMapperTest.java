package dev.hellonet.api;

import dev.hellonet.bus.Addresses;
import dev.hellonet.testing.LogCapture;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10: a 500 says only "internal error" with a reference; the log has the cause under the same reference. */
class ErrorMapperTest {
  private static final Pattern REFERENCE = Pattern.compile("reference ([0-9a-f]{8})");

  @Test
  void internalFaultsAnswerWithAReferenceAndLogTheCauseUnderIt() {
    try (LogCapture log = LogCapture.of(ErrorMapper.class)) {
      IllegalStateException secret = new IllegalStateException("lock held at /srv/hellonet/data/sequence");
      ApiError thrown = ErrorMapper.map(secret, 500);
      ApiError bus = ErrorMapper.map(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Addresses.FAILURE_INTERNAL,
          "NullPointerException in JobRun.launch"), 500);
      ApiError status = ErrorMapper.map(null, 500);
      for (ApiError e : List.of(thrown, bus, status)) {
        assertEquals(500, e.status());
        assertFalse(e.getMessage().contains("/srv") || e.getMessage().contains("Exception"), e.getMessage());
        Matcher m = REFERENCE.matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        String reference = m.group(1);
        assertTrue(log.records().stream().anyMatch(r -> r.getMessage().contains(reference)),
            "logged under " + reference);
      }
      LogRecord first = log.records().stream().filter(r -> r.getMessage().contains(ref(thrown))).findFirst().orElseThrow();
      assertSame(secret, first.getThrown(), "the cause is in the log");
      assertFalse(ref(thrown).equals(ref(bus)), "each fault gets its own reference");
    }
  }

  private static String ref(ApiError e) {
    Matcher m = REFERENCE.matcher(e.getMessage());
    assertTrue(m.find());
    return m.group(1);
  }
}
