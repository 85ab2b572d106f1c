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
    /** A node-wide ceiling (page memory in flight) was full; the transfer was cut off and may be tried later. */
    BUSY(true),
    /** A ceiling of the job or node that does not free up (download bytes) was reached; the transfer was cut off. */
    LIMITED(false),
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

  /** The configuration key of the ceiling that cut the transfer off, when one did (BUSY, LIMITED), else null. */
  public String limitKey() {
    if (kind != Kind.BUSY && kind != Kind.LIMITED) {
      return null;
    }
    String m = getMessage();
    int space = m.indexOf(' ');
    return space < 0 ? m : m.substring(0, space);
  }
}
