package dev.hellonet.bridge;

import dev.hellonet.bus.Addresses;
import dev.hellonet.config.WholeNumbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Judges one decoded frame before it reaches the stock bridge: valid JSON, the API token (when one is set), a known
 * type, a permitted address, a reply address the guard can follow, and only the headers it knows. An accepted frame
 * is rebuilt from the checked fields alone, without the token, so the token never travels on the event bus.
 */
final class FrameCheck {
  /** Header that carries the API token on every frame when {@code api.token} is set. */
  static final String TOKEN_HEADER = "token";
  /** Longest request timeout a client may ask for in the {@code timeout} header. */
  static final long MAX_TIMEOUT_MS = 300_000;
  /** Reply addresses are echoed in reply frames; keeping them plain makes their JSON form equal to the string. */
  private static final Pattern REPLY_ADDRESS = Pattern.compile("[A-Za-z0-9._:/@+-]{1,128}");

  /** Why a frame was refused; {@code code} goes in the err frame's {@code message}, as the stock bridge's codes do. */
  enum Refusal {
    INVALID_JSON("invalid_json"),
    UNAUTHORIZED("unauthorized"),
    UNKNOWN_TYPE("unknown_type"),
    MISSING_ADDRESS("missing_address"),
    ACCESS_DENIED("access_denied"),
    INVALID_FRAME("invalid_frame");

    final String code;

    Refusal(String code) {
      this.code = code;
    }
  }

  /** The outcome for one frame. */
  sealed interface Verdict {}

  /**
   * Passes: {@code frame} is what the stock bridge gets; {@code address} is null for a ping; {@code replyAddress} is
   * set for a {@code send}, which is always a request awaiting a reply.
   */
  record Accepted(String type, String address, String replyAddress, Buffer frame) implements Verdict {}

  /** Refused: {@code reason} names what is wrong; {@code replyAddress} lets the client match the err to a request. */
  record Refused(Refusal refusal, String reason, String replyAddress) implements Verdict {}

  private final byte[] tokenDigest;

  /** {@code token} empty: frames need no token. */
  FrameCheck(String token) {
    this.tokenDigest = token.isEmpty() ? null : digest(token);
  }

  /**
   * {@code client}: the connection's source address, put on every crawl start as the header the crawler counts its
   * per-client share of running jobs by, as the HTTP API does.
   */
  Verdict check(Buffer payload, String client) {
    JsonObject frame;
    try {
      frame = new JsonObject(payload);
    } catch (RuntimeException e) {
      return new Refused(Refusal.INVALID_JSON, "the frame is not a JSON object: " + firstLine(e.getMessage()), null);
    }
    String replyAddress = frame.getValue("replyAddress") instanceof String s ? s : null;
    Object rawHeaders = frame.getValue("headers");
    if (rawHeaders != null && !(rawHeaders instanceof JsonObject)) {
      return new Refused(Refusal.INVALID_FRAME, "headers: must be a JSON object", null);
    }
    JsonObject headers = (JsonObject) rawHeaders;
    if (tokenDigest != null && !tokenMatches(headers == null ? null : headers.getValue(TOKEN_HEADER))) {
      return new Refused(Refusal.UNAUTHORIZED, "headers.token: missing or not the API token", null);
    }
    if (!(frame.getValue("type") instanceof String type)) {
      return new Refused(Refusal.UNKNOWN_TYPE, "type: required, one of send, publish, register, unregister, ping",
          replyAddress);
    }
    JsonObject out = new JsonObject().put("type", type);
    if (type.equals("ping")) {
      return new Accepted(type, null, null, encode(out));
    }
    if (!type.equals("send") && !type.equals("publish") && !type.equals("register") && !type.equals("unregister")) {
      return new Refused(Refusal.UNKNOWN_TYPE, "type: \"" + clip(type) + "\" is not one of send, publish, register,"
          + " unregister, ping", replyAddress);
    }
    if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
      return new Refused(Refusal.MISSING_ADDRESS, "address: required, a non-empty string", replyAddress);
    }
    boolean permitted = switch (type) {
      case "send" -> BridgePermissions.INBOUND.contains(address);
      case "register", "unregister" -> BridgePermissions.OUTBOUND.contains(address);
      default -> false; // publish: every permitted inbound address is request-reply
    };
    if (!permitted) {
      return new Refused(Refusal.ACCESS_DENIED, type + " to \"" + clip(address) + "\" is not permitted over the bridge",
          replyAddress);
    }
    out.put("address", address);
    if (!type.equals("send")) {
      return new Accepted(type, address, null, encode(out));
    }
    // Every address open to clients is request-reply, and a request is what the in-flight cap counts: a send without a
    // reply address would escape it and let a client queue work on the bus without bound.
    if (!frame.containsKey("replyAddress")) {
      return new Refused(Refusal.INVALID_FRAME, "replyAddress: required; every address open to clients answers",
          null);
    }
    if (replyAddress == null || !REPLY_ADDRESS.matcher(replyAddress).matches()) {
      return new Refused(Refusal.INVALID_FRAME, "replyAddress: must be 1 to 128 characters of letters, digits and"
          + " ._:/@+-", null);
    }
    if (BridgePermissions.OUTBOUND.contains(replyAddress)) {
      // A publication on it would be taken for the reply, and the request's accounting would drift.
      return new Refused(Refusal.INVALID_FRAME, "replyAddress: must not be an address clients subscribe to", null);
    }
    out.put("replyAddress", replyAddress);
    JsonObject forwarded = new JsonObject();
    if (headers != null) {
      for (Map.Entry<String, Object> h : headers) {
        if (h.getKey().equals(TOKEN_HEADER)) {
          continue;
        }
        if (!h.getKey().equals("timeout")) {
          return new Refused(Refusal.INVALID_FRAME, "headers." + clip(h.getKey()) + ": unknown header; known are"
              + " token and timeout", replyAddress);
        }
        if (!WholeNumbers.isWithin(h.getValue(), 1, MAX_TIMEOUT_MS)) {
          return new Refused(Refusal.INVALID_FRAME, "headers.timeout: must be a whole number of milliseconds from 1"
              + " to " + MAX_TIMEOUT_MS + "; got " + clip(String.valueOf(h.getValue())), replyAddress);
        }
        forwarded.put("timeout", ((Number) h.getValue()).longValue());
      }
    }
    if (address.equals(Addresses.CRAWL_START)) {
      forwarded.put(Addresses.HEADER_CLIENT, client);
    }
    if (!forwarded.isEmpty()) {
      out.put("headers", forwarded);
    }
    if (frame.containsKey("body")) {
      out.put("body", frame.getValue("body"));
    }
    return new Accepted(type, address, replyAddress, encode(out));
  }

  /** Constant time: both sides are hashed to 32 bytes first, so neither a guess's content nor its length shows. */
  private boolean tokenMatches(Object given) {
    return given instanceof String s && MessageDigest.isEqual(tokenDigest, digest(s));
  }

  /** A frame as the stock bridge's parser reads it: length prefix, then UTF-8 JSON. */
  static Buffer encode(JsonObject frame) {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(json.length + 4).appendInt(json.length).appendBytes(json);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Client text echoed in an error stays short. */
  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return clip(nl < 0 ? message : message.substring(0, nl));
  }
}
