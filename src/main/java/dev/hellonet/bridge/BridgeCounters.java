package dev.hellonet.bridge;

import dev.hellonet.counters.SingleWriterCounter;
import io.vertx.core.json.JsonObject;

/**
 * The bridge's live counters, written only by the bridge verticle's event loop and read from anywhere; registered under
 * the role {@code bridge}, so they appear in the counters snapshot and in /metrics.
 */
final class BridgeCounters {
  final SingleWriterCounter connectionsAccepted = new SingleWriterCounter();
  final SingleWriterCounter connectionsClosed = new SingleWriterCounter();
  final SingleWriterCounter framesIn = new SingleWriterCounter();
  final SingleWriterCounter framesOut = new SingleWriterCounter();
  final SingleWriterCounter inFlight = new SingleWriterCounter();
  final SingleWriterCounter rejectedFrameTooLong = new SingleWriterCounter();
  final SingleWriterCounter rejectedTruncated = new SingleWriterCounter();
  final SingleWriterCounter rejectedInvalidJson = new SingleWriterCounter();
  final SingleWriterCounter rejectedUnknownType = new SingleWriterCounter();
  final SingleWriterCounter rejectedAccessDenied = new SingleWriterCounter();
  final SingleWriterCounter rejectedInvalidFrame = new SingleWriterCounter();
  final SingleWriterCounter rejectedUnauthorized = new SingleWriterCounter();
  final SingleWriterCounter closedTooManyBadFrames = new SingleWriterCounter();
  final SingleWriterCounter closedAuthFailures = new SingleWriterCounter();
  final SingleWriterCounter closedSlowConsumer = new SingleWriterCounter();
  final SingleWriterCounter closedConnectionLimit = new SingleWriterCounter();
  final SingleWriterCounter closedPerAddressLimit = new SingleWriterCounter();
  final SingleWriterCounter closedFirstFrameTimeout = new SingleWriterCounter();
  final SingleWriterCounter closedIdleTimeout = new SingleWriterCounter();

  void refused(FrameCheck.Refusal refusal) {
    (switch (refusal) {
      case INVALID_JSON -> rejectedInvalidJson;
      case UNAUTHORIZED -> rejectedUnauthorized;
      case UNKNOWN_TYPE -> rejectedUnknownType;
      case ACCESS_DENIED -> rejectedAccessDenied;
      case MISSING_ADDRESS, INVALID_FRAME -> rejectedInvalidFrame;
    }).add(1);
  }

  JsonObject snapshot() {
    long accepted = connectionsAccepted.get();
    long closed = connectionsClosed.get();
    return new JsonObject()
        .put("connectionsAccepted", accepted)
        .put("connectionsActive", accepted - closed)
        .put("connectionsClosed", closed)
        .put("framesIn", framesIn.get())
        .put("framesOut", framesOut.get())
        .put("inFlight", inFlight.get())
        .put("rejectedFrameTooLong", rejectedFrameTooLong.get())
        .put("rejectedTruncated", rejectedTruncated.get())
        .put("rejectedInvalidJson", rejectedInvalidJson.get())
        .put("rejectedUnknownType", rejectedUnknownType.get())
        .put("rejectedAccessDenied", rejectedAccessDenied.get())
        .put("rejectedInvalidFrame", rejectedInvalidFrame.get())
        .put("rejectedUnauthorized", rejectedUnauthorized.get())
        .put("closedTooManyBadFrames", closedTooManyBadFrames.get())
        .put("closedAuthFailures", closedAuthFailures.get())
        .put("closedSlowConsumer", closedSlowConsumer.get())
        .put("closedConnectionLimit", closedConnectionLimit.get())
        .put("closedPerAddressLimit", closedPerAddressLimit.get())
        .put("closedFirstFrameTimeout", closedFirstFrameTimeout.get())
        .put("closedIdleTimeout", closedIdleTimeout.get());
  }
}
