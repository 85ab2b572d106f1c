package dev.hellonet.bench;

import java.nio.charset.StandardCharsets;

/** What a server under load is sent by default and what its reply lines must look like. */
public enum Protocol {
  /** hellonet: any line in, {@code Hello World<N>\n} out, connection stays open. */
  HELLONET("Hello World", false, "hello\n"),
  /**
   * Redis: {@code INCR hellonet:bench} in, {@code :<n>\r\n} out. The request is sent the way Redis clients send it,
   * as a RESP array: Redis parses that much faster than the inline form {@code INCR key\r\n} (which
   * {@code --request} can still send), and a comparison should not handicap the peer.
   */
  REDIS(":", true, "*2\r\n$4\r\nINCR\r\n$14\r\nhellonet:bench\r\n"),
  /** nginx stream {@code return "Hello World$connection\n";}: one reply, then nginx closes. Connection mode only. */
  NGINX("Hello World", false, "hello\n");

  private final byte[] replyPrefix;
  private final boolean crlf;
  private final String defaultRequest;

  Protocol(String replyPrefix, boolean crlf, String defaultRequest) {
    this.replyPrefix = replyPrefix.getBytes(StandardCharsets.US_ASCII);
    this.crlf = crlf;
    this.defaultRequest = defaultRequest;
  }

  /** Bytes every reply line starts with, before its decimal number. */
  byte[] replyPrefix() {
    return replyPrefix.clone();
  }

  /** Whether reply lines end in {@code \r\n} (Redis) rather than a bare {@code \n}. */
  boolean crlf() {
    return crlf;
  }

  String defaultRequest() {
    return defaultRequest;
  }

  /** Whether the server closes the connection after one reply, so only connection mode makes sense. */
  boolean closesAfterReply() {
    return this == NGINX;
  }

  /** A new parser for this protocol's reply lines, reporting to {@code sink}. */
  ReplyParser newParser(ReplySink sink) {
    return new ReplyParser(replyPrefix, crlf, sink);
  }
}
