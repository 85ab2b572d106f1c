package dev.hellonet.crawl.job;

/** A crawl request that cannot be run, with the field at fault; the message starts with that field's path. */
public final class InvalidRequestException extends RuntimeException {
  private final String field;

  public InvalidRequestException(String field, String problem) {
    super(field + ": " + problem, null, false, false);
    this.field = field;
  }

  /** The JSON path of the offending field, e.g. {@code urls[3]} or {@code extract.fields.name}. */
  public String field() {
    return field;
  }
}
