package dev.hellonet.hello;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplyEncoderTest {
  private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);

  /** What the encoder must produce, built the slow and obvious way. */
  private static String expected(long first, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append("Hello World").append(first + i).append('\n');
    }
    return sb.toString();
  }

  private String encode(ReplyEncoder encoder, long first, int count) {
    ByteBuf buf = encoder.encode(alloc, first, count);
    try {
      return buf.toString(StandardCharsets.US_ASCII);
    } finally {
      buf.release();
    }
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({
      "1, 1", "1, 9", "1, 10", "1, 4096", "8, 5", "95, 10", "990, 20", "999999, 3", "1000000, 2",
      "99999999999, 2", "4294967290, 12", "9223372036854775807, 1", "9223372036854775800, 8",
      "999999999999999990, 20"
  })
  void runsCrossingDigitBoundariesMatchDecimalFormatting(long first, int count) {
    assertEquals(expected(first, count), encode(new ReplyEncoder(4096), first, count));
  }

  @Test
  void anEncoderReusedForUnrelatedRunsCarriesNothingOver() {
    ReplyEncoder encoder = new ReplyEncoder(64);
    assertEquals(expected(99, 64), encode(encoder, 99, 64));
    assertEquals(expected(5, 3), encode(encoder, 5, 3));
    assertEquals(expected(123456789, 1), encode(encoder, 123456789, 1));
    assertEquals(expected(1, 64), encode(encoder, 1, 64));
  }

  @Test
  void theBufferHoldsExactlyTheReplies() {
    ByteBuf buf = new ReplyEncoder(16).encode(alloc, 7, 4);
    try {
      assertEquals("Hello World7\n".length() * 3 + "Hello World10\n".length(), buf.readableBytes());
      assertEquals(true, buf.isDirect(), "replies go out from a direct buffer");
    } finally {
      buf.release();
    }
  }

  @Test
  void refusesCountsAndNumbersOutOfRange() {
    ReplyEncoder encoder = new ReplyEncoder(8);
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(alloc, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(alloc, 1, 9));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(alloc, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(alloc, Long.MAX_VALUE, 2));
    assertThrows(IllegalArgumentException.class, () -> new ReplyEncoder(0));
  }
}
