package dev.hellonet.bridge;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into bridge frames (a 4-byte big-endian length, then that many bytes) and refuses a length over
 * the maximum as soon as its prefix arrives, so a client can never make the node buffer more than one maximal frame
 * plus the bytes of one read. The stock bridge's parser has no such limit: it waits for whatever length it is told.
 */
final class FrameDecoder {
  /** A length prefix that is negative or above the maximum; the stream cannot be trusted past it. */
  static final class FrameTooLongException extends Exception {
    FrameTooLongException(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxFrameBytes;
  private Buffer buffer = Buffer.buffer();
  private int offset;

  FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Adds bytes read from the socket. */
  void feed(Buffer chunk) {
    if (offset >= buffer.length()) {
      buffer = chunk;
      offset = 0;
    } else {
      Buffer rest = buffer.getBuffer(offset, buffer.length());
      buffer = rest.appendBuffer(chunk);
      offset = 0;
    }
  }

  /** The next complete frame's payload, or null until more bytes arrive. */
  Buffer next() throws FrameTooLongException {
    int available = buffer.length() - offset;
    if (available < 4) {
      return null;
    }
    int length = buffer.getInt(offset);
    if (length < 0 || length > maxFrameBytes) {
      throw new FrameTooLongException("frame length " + Integer.toUnsignedString(length) + " is over the maximum of "
          + maxFrameBytes + " bytes (bridge.maxFrameBytes)");
    }
    if (available - 4 < length) {
      return null;
    }
    Buffer payload = buffer.slice(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return payload;
  }

  /** True if bytes of a frame are held but not the whole frame: when the stream ends so, its last frame was cut. */
  boolean holdsIncompleteFrame() {
    int available = buffer.length() - offset;
    if (available == 0) {
      return false;
    }
    if (available < 4) {
      return true;
    }
    int length = buffer.getInt(offset);
    return length >= 0 && length <= maxFrameBytes && available - 4 < length;
  }
}
