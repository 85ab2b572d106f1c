package dev.hellonet.hello;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@code Hello World<N>\n} replies for a run of consecutive numbers into one outgoing buffer.
 *
 * <p>The hot path of the server: a profile of pipelined load showed per-digit division and per-byte writes into the
 * direct buffer costing about a tenth of the CPU. So the first number of a run is formatted once, each following
 * number is made by incrementing its ASCII digits in place, the replies are assembled in a heap array (plain array
 * stores, no buffer bounds checks) and copied into the direct buffer with one bulk copy.
 *
 * <p>Holds scratch space, so it belongs to one event loop: the server keeps one per verticle instance, shared by that
 * instance's connections, which all run on its thread.
 */
final class ReplyEncoder {
  private static final byte[] PREFIX = "Hello World".getBytes(StandardCharsets.US_ASCII);
  /** Digits in the largest number a reply can carry, {@link Long#MAX_VALUE}. */
  private static final int MAX_DIGITS = 19;
  /** The longest reply: prefix, 19 digits of a positive long, newline. */
  static final int MAX_REPLY_BYTES = PREFIX.length + MAX_DIGITS + 1;

  private final int maxReplies;
  private final byte[] scratch;
  /** The reply for the next number: prefix, digits, newline. */
  private final byte[] line = new byte[MAX_REPLY_BYTES];
  private int lineLength;

  /** An encoder for runs of up to {@code maxReplies} replies. */
  ReplyEncoder(int maxReplies) {
    if (maxReplies < 1) {
      throw new IllegalArgumentException("maxReplies must be at least 1, was " + maxReplies);
    }
    this.maxReplies = maxReplies;
    this.scratch = new byte[maxReplies * MAX_REPLY_BYTES];
    System.arraycopy(PREFIX, 0, line, 0, PREFIX.length);
  }

  /** The largest {@code count} that {@link #encode} accepts. */
  int maxReplies() {
    return maxReplies;
  }

  /** One buffer holding the replies for {@code first .. first+count-1}; {@code first} must be positive. */
  ByteBuf encode(ByteBufAllocator alloc, long first, int count) {
    if (count < 1 || count > maxReplies) {
      throw new IllegalArgumentException("count must be within 1.." + maxReplies + ", was " + count);
    }
    if (first < 1 || first > Long.MAX_VALUE - count + 1) {
      throw new IllegalArgumentException("numbers " + first + " + " + count + " out of range");
    }
    setLine(first);
    int at = 0;
    for (int i = 0; ; ) {
      System.arraycopy(line, 0, scratch, at, lineLength);
      at += lineLength;
      if (++i == count) {
        break;
      }
      increment();
    }
    ByteBuf out = alloc.ioBuffer(at);
    out.writeBytes(scratch, 0, at);
    return out;
  }

  /** Formats {@code n} into {@link #line}. */
  private void setLine(long n) {
    int d = digits(n);
    for (int i = PREFIX.length + d - 1; i >= PREFIX.length; i--) {
      line[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    line[PREFIX.length + d] = '\n';
    lineLength = PREFIX.length + d + 1;
  }

  /** Advances {@link #line} to the next number by carrying through its ASCII digits. */
  private void increment() {
    int i = lineLength - 2;
    while (i >= PREFIX.length && line[i] == '9') {
      line[i--] = '0';
    }
    if (i >= PREFIX.length) {
      line[i]++;
      return;
    }
    // 99..9 became 00..0: one digit longer. The caller's range check keeps this within 19 digits.
    line[PREFIX.length] = '1';
    line[lineLength - 1] = '0';
    line[lineLength] = '\n';
    lineLength++;
  }

  static int digits(long n) {
    int d = 1;
    for (long limit = 10; d < MAX_DIGITS && n >= limit; limit *= 10) {
      d++;
    }
    return d;
  }
}
