package dev.hellonet.crawl.job;

import dev.hellonet.crawl.fetch.FetchException;
import dev.hellonet.crawl.fetch.FetchResult;

/**
 * What one fetch came to, for pages and downloads alike: a body to use, a redirect to follow, a failure worth another
 * attempt, or a final failure. The one place that reads HTTP statuses and fetch exceptions.
 */
record FetchOutcome(Kind kind, FetchResult result, FetchException failure, Integer httpStatus, long bytes,
                    String error) {
  /** The four ways a fetch ends. */
  enum Kind { SUCCESS, REDIRECT, RETRIABLE, FAILED }

  static FetchOutcome of(FetchResult r, Throwable failure) {
    if (failure != null) {
      FetchException e = failure instanceof FetchException fe ? fe
          : new FetchException(FetchException.Kind.IO, String.valueOf(failure.getMessage()), 0);
      return new FetchOutcome(e.retriable() ? Kind.RETRIABLE : Kind.FAILED, null, e, null, e.bytes(),
          e.getMessage());
    }
    int status = r.status();
    if (status >= 300 && status < 400 && r.location() != null) {
      return new FetchOutcome(Kind.REDIRECT, r, null, status, r.bytes(), null);
    }
    if (status == 429 || status >= 500) {
      return new FetchOutcome(Kind.RETRIABLE, r, null, status, r.bytes(), "HTTP " + status);
    }
    if (status < 200 || status >= 300) {
      return new FetchOutcome(Kind.FAILED, r, null, status, r.bytes(), "HTTP " + status);
    }
    return new FetchOutcome(Kind.SUCCESS, r, null, status, r.bytes(), null);
  }

  /** The server said it is overloaded (429 Too Many Requests, 503 Service Unavailable): slow down, not just retry. */
  boolean overloaded() {
    return httpStatus != null && (httpStatus == 429 || httpStatus == 503);
  }

  /** How a failed page is reported: timeouts and cancels have statuses of their own. */
  PageRecord.Status pageStatus() {
    if (failure == null) {
      return PageRecord.Status.ERROR;
    }
    return switch (failure.kind()) {
      case TIMEOUT -> PageRecord.Status.TIMEOUT;
      case CANCELLED -> PageRecord.Status.CANCELLED;
      default -> PageRecord.Status.ERROR;
    };
  }

  /** How a failed download is reported. */
  DownloadRecord.Status downloadStatus() {
    return failure != null && failure.kind() == FetchException.Kind.CANCELLED
        ? DownloadRecord.Status.CANCELLED : DownloadRecord.Status.ERROR;
  }
}
