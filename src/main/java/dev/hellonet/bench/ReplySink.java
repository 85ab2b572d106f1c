package dev.hellonet.bench;

/** Receives each reply line the {@link ReplyParser} completes: its number, or the fact that it was malformed. */
interface ReplySink {
  void onReply(long number);

  /** A complete line that is not {@code <prefix><digits><line end>}; it still answers one request. */
  void onMalformed();
}
