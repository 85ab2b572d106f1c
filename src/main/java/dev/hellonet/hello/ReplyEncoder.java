package dev.hellonet.hello;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** Writes {@code Hello World<N>\n} replies for a run of consecutive numbers straight into one outgoing buffer. */
final class ReplyEncoder {
  private static final byte[] PREFIX = "Hello World".getBytes(StandardCharsets.US_ASCII);
  /** The longest reply: prefix, 19 digits of a positive long, newline. */
  static final int MAX_REPLY_BYTES = PREFIX.length + 19 + 1;

  private ReplyEncoder() {}

  /** One buffer holding the replies for {@code first .. first+count-1}, formatted without any intermediate String. */
  static ByteBuf encode(ByteBufAllocator alloc, long first, int count) {
    long last = first + count - 1;
    ByteBuf out = alloc.ioBuffer(count * (PREFIX.length + digits(last) + 1));
    for (long n = first; n <= last; n++) {
      out.writeBytes(PREFIX);
      writeDecimal(out, n);
      out.writeByte('\n');
    }
    return out;
  }

  static int digits(long n) {
    int d = 1;
    for (long limit = 10; d < 19 && n >= limit; limit *= 10) {
      d++;
    }
    return d;
  }

  private static void writeDecimal(ByteBuf out, long n) {
    int d = digits(n);
    int at = out.writerIndex();
    out.ensureWritable(d);
    for (int i = at + d - 1; i >= at; i--) {
      out.setByte(i, (int) ('0' + n % 10));
      n /= 10;
    }
    out.writerIndex(at + d);
  }
}
