package dev.hellonet.bench;

import io.netty.util.ByteProcessor;

/**
 * Parses reply lines of the form {@code <prefix><decimal number><\n or \r\n>} straight from the received bytes, one
 * byte at a time, so a line may be split across any number of buffers. No Strings, no allocation: it runs on every
 * byte the load generator receives (via {@code ByteBuf.forEachByte}).
 *
 * <p>A line that deviates anywhere is reported as malformed once, at the first byte that deviates; the rest of it, up to
 * its {@code \n}, is skipped.
 */
final class ReplyParser implements ByteProcessor {
  /** 18 digits always fit a long; no server here gets anywhere near 10^18. */
  static final int MAX_DIGITS = 18;

  private static final int PREFIX = 0;
  private static final int DIGITS = 1;
  private static final int CR_SEEN = 2;
  private static final int SKIP = 3;

  private final byte[] prefix;
  private final boolean crlf;
  private final ReplySink sink;

  private int state = PREFIX;
  private int prefixAt;
  private int digits;
  private long value;

  ReplyParser(byte[] prefix, boolean crlf, ReplySink sink) {
    this.prefix = prefix.clone();
    this.crlf = crlf;
    this.sink = sink;
  }

  @Override
  public boolean process(byte b) {
    switch (state) {
      case PREFIX -> {
        if (prefixAt < prefix.length && b == prefix[prefixAt]) {
          if (++prefixAt == prefix.length) {
            state = DIGITS;
          }
        } else {
          malformed(b);
        }
      }
      case DIGITS -> {
        if (b >= '0' && b <= '9' && digits < MAX_DIGITS) {
          value = value * 10 + (b - '0');
          digits++;
        } else if (digits > 0 && !crlf && b == '\n') {
          complete();
        } else if (digits > 0 && crlf && b == '\r') {
          state = CR_SEEN;
        } else {
          malformed(b);
        }
      }
      case CR_SEEN -> {
        if (b == '\n') {
          complete();
        } else {
          malformed(b);
        }
      }
      default -> { // SKIP: the rest of a malformed line
        if (b == '\n') {
          reset();
        }
      }
    }
    return true;
  }

  /** Whether part of a line has been read but not its end: a connection closing now cut a reply short. */
  boolean midLine() {
    return state != PREFIX || prefixAt != 0;
  }

  /** Forgets any partial line, for reuse on a new connection. */
  void reset() {
    state = PREFIX;
    prefixAt = 0;
    digits = 0;
    value = 0;
  }

  private void complete() {
    long number = value;
    reset();
    sink.onReply(number);
  }

  private void malformed(byte b) {
    if (b == '\n') {
      reset();
    } else {
      state = SKIP;
    }
    sink.onMalformed();
  }
}
