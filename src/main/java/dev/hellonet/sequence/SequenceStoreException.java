package dev.hellonet.sequence;

/** The sequence store cannot be used safely (unreadable, corrupt, exhausted); the message says which file and why. */
public final class SequenceStoreException extends RuntimeException {
  private final boolean missing;

  public SequenceStoreException(String message) {
    this(message, null, false);
  }

  public SequenceStoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private SequenceStoreException(String message, Throwable cause, boolean missing) {
    super(message, cause);
    this.missing = missing;
  }

  /** The sequence does not exist yet (no file, table or row) and the store was not asked to create it. */
  static SequenceStoreException missing(String message) {
    return new SequenceStoreException(message, null, true);
  }

  /** Whether the failure is only that the sequence does not exist yet: {@code hellonet init-sequence} creates it. */
  public boolean isMissing() {
    return missing;
  }
}
