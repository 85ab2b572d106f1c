package dev.hellonet.crawl.fetch;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * Where a response body goes while it streams in: memory (a page to parse) or an open file (a download). Counts bytes
 * as they arrive and calls {@code overLimit} the moment the count passes the cap, so that the transfer is cut off
 * instead of buffered.
 */
public final class BodySink implements BodyStream<Void> {
  private final long cap;
  private final AsyncFile file;
  private final Buffer memory;
  private Runnable overLimit = () -> { };
  private long bytes;
  private boolean refused;
  private final java.util.List<Budget> budgets = new java.util.ArrayList<>();
  private long taken;
  private Budget exhausted;

  private BodySink(long cap, AsyncFile file) {
    this.cap = cap;
    this.file = file;
    this.memory = file == null ? Buffer.buffer() : null;
  }

  public static BodySink inMemory(long cap) {
    return new BodySink(cap, null);
  }

  /** Writes to {@code file}, which the caller opened and closes. */
  public static BodySink toFile(AsyncFile file, long cap) {
    return new BodySink(cap, file);
  }

  /** Counts every byte of this body against {@code budget} too; the transfer is cut off when it is full. */
  public BodySink drawingFrom(Budget budget) {
    budgets.add(budget);
    return this;
  }

  /** The budget that refused bytes and cut the transfer off, or null (the cap did, or nothing did). */
  public Budget exhausted() {
    return exhausted;
  }

  /** Gives this body's bytes back to its budgets (its memory is dropped, or its file deleted). Idempotent. */
  public void release() {
    for (Budget b : budgets) {
      b.give(taken);
    }
    taken = 0;
  }

  void onOverLimit(Runnable action) {
    this.overLimit = action;
  }

  public long bytes() {
    return bytes;
  }

  long cap() {
    return cap;
  }

  /** The body so far, or null for a file sink. */
  Buffer memory() {
    return memory;
  }

  /** A codec handing this sink to the web client; each request gets its own sink, so the codec is single-use. */
  BodyCodec<Void> codec() {
    return () -> this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (refused) {
      return Future.failedFuture("body refused");
    }
    bytes += data.length();
    if (bytes > cap) {
      refused = true;
      overLimit.run();
      return Future.failedFuture("body larger than " + cap + " bytes");
    }
    for (int i = 0; i < budgets.size(); i++) {
      if (!budgets.get(i).take(data.length())) {
        for (int j = 0; j < i; j++) {
          budgets.get(j).give(data.length());
        }
        refused = true;
        exhausted = budgets.get(i);
        overLimit.run();
        return Future.failedFuture(exhausted.key() + " reached");
      }
    }
    taken += data.length();
    if (file != null) {
      return file.write(data);
    }
    memory.appendBuffer(data);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> result() {
    return Future.succeededFuture();
  }

  @Override
  public void handle(Throwable failure) {
    refused = true;
  }

  @Override
  public BodySink exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public BodySink setWriteQueueMaxSize(int maxSize) {
    if (file != null) {
      file.setWriteQueueMaxSize(maxSize);
    }
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return file != null && file.writeQueueFull();
  }

  @Override
  public BodySink drainHandler(Handler<Void> handler) {
    if (file != null) {
      file.drainHandler(handler);
    }
    return this;
  }
}
