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

  void onOverLimit(Runnable action) {
    this.overLimit = action;
  }

  long bytes() {
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
