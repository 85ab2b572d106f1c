package dev.hellonet.crawl.job;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;

/**
 * Admits pages to the parse pool by their size, node-wide: a parsed document takes many times its HTML's bytes (an
 * 8 MiB page of small elements is about 100 MB of jsoup nodes), so the HTML being parsed at once is kept under a
 * share of the heap, whatever the number of parse threads. One page is always admitted when none is being parsed, so
 * a page up to {@code crawler.maxBodyBytes} always gets its turn. Pages wait in arrival order. Event-loop confined.
 */
final class ParseGate {
  private record Waiting(long bytes, Promise<Void> admitted) {}

  private final long maxBytes;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long parsing;
  private int pages;

  ParseGate(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The most HTML bytes parsed at once. */
  long maxBytes() {
    return maxBytes;
  }

  /** Completes when a page of {@code bytes} may be parsed; the caller must {@link #done} it afterwards. */
  Future<Void> admit(long bytes) {
    Promise<Void> admitted = Promise.promise();
    waiting.add(new Waiting(bytes, admitted));
    drain();
    return admitted.future();
  }

  void done(long bytes) {
    parsing -= bytes;
    pages--;
    drain();
  }

  private void drain() {
    while (!waiting.isEmpty() && (pages == 0 || parsing + waiting.peek().bytes() <= maxBytes)) {
      Waiting next = waiting.poll();
      parsing += next.bytes();
      pages++;
      next.admitted().complete();
    }
  }
}
