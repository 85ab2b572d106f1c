package dev.hellonet.sequence;

/** The sequence store cannot be used safely (unreadable, corrupt, exhausted); the message says which file and why. */
public final class SequenceStoreException extends RuntimeException {
  public SequenceStoreException(String message) {
    super(message);
  }

  public SequenceStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
