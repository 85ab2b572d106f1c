package dev.hellonet.crawl.fetch;

/** Why a fetch produced no response; {@link Kind} says whether trying again could help. */
public final class FetchException extends RuntimeException {
  /** What went wrong, as reported on the page. */
  public enum Kind {
    /** No complete response within the per-request timeout. */
    TIMEOUT(true),
    /** The connection could not be made (refused, unreachable, DNS). */
    CONNECT(true),
    /** The connection broke before the response was complete. */
    IO(true),
    /** The body grew past the size limit; the transfer was cut off. */
    TOO_LARGE(false),
    /** The job was cancelled or ran past its deadline while the request was in flight. */
    CANCELLED(false);

    final boolean retriable;

    Kind(boolean retriable) {
      this.retriable = retriable;
    }
  }

  private final Kind kind;
  private final long bytes;

  public FetchException(Kind kind, String message, long bytes) {
    super(message, null, false, false);
    this.kind = kind;
    this.bytes = bytes;
  }

  public Kind kind() {
    return kind;
  }

  /** Body bytes received before the failure. */
  public long bytes() {
    return bytes;
  }

  public boolean retriable() {
    return kind.retriable;
  }
}
