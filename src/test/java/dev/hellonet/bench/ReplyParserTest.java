package dev.hellonet.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reply parser on whole, split, malformed and CRLF lines, fed through ByteBufs as the load generator does. */
class ReplyParserTest {
  /** Records what the parser reports; "bad" stands for a malformed line. */
  private static final class Recorder implements ReplySink {
    final List<String> events = new ArrayList<>();

    @Override
    public void onReply(long number) {
      events.add(Long.toString(number));
    }

    @Override
    public void onMalformed() {
      events.add("bad");
    }
  }

  private final Recorder hello = new Recorder();
  private final ReplyParser helloParser = Protocol.HELLONET.newParser(hello);
  private final Recorder redis = new Recorder();
  private final ReplyParser redisParser = Protocol.REDIS.newParser(redis);

  private static void feed(ReplyParser parser, String... chunks) {
    for (String chunk : chunks) {
      ByteBuf buf = Unpooled.copiedBuffer(chunk, StandardCharsets.US_ASCII);
      try {
        buf.forEachByte(parser);
      } finally {
        buf.release();
      }
    }
  }

  @Test
  void wholeLinesInOneBuffer() {
    feed(helloParser, "Hello World1\nHello World2\nHello World1234567890\n");
    assertEquals(List.of("1", "2", "1234567890"), hello.events);
    assertFalse(helloParser.midLine());
  }

  @Test
  void linesSplitAtEveryPossiblePlace() {
    String text = "Hello World41\nHello World42\n";
    for (int cut = 0; cut <= text.length(); cut++) {
      Recorder r = new Recorder();
      ReplyParser p = Protocol.HELLONET.newParser(r);
      feed(p, text.substring(0, cut), text.substring(cut));
      assertEquals(List.of("41", "42"), r.events, "split at " + cut);
    }
    Recorder r = new Recorder();
    ReplyParser p = Protocol.REDIS.newParser(r);
    for (char c : ":7\r\n:8\r\n".toCharArray()) {
      feed(p, String.valueOf(c));
    }
    assertEquals(List.of("7", "8"), r.events);
  }

  @Test
  void midLineIsTrueOnlyBetweenTheFirstByteAndTheEndOfALine() {
    feed(helloParser, "Hel");
    assertTrue(helloParser.midLine());
    feed(helloParser, "lo World5");
    assertTrue(helloParser.midLine());
    feed(helloParser, "\n");
    assertFalse(helloParser.midLine());
    feed(redisParser, ":5\r");
    assertTrue(redisParser.midLine());
  }

  @Test
  void malformedLinesAreReportedOnceEachAndParsingResumesAfterThem() {
    feed(helloParser,
        "Hello World\n",          // no number
        "Hello World12x\n",       // junk after the number
        "hello World3\n",         // wrong prefix
        "\n",                     // empty line
        "ERR request too long\n", // an error line
        "Hello World 4\n",        // space before the number
        "Hello World5\n");
    assertEquals(List.of("bad", "bad", "bad", "bad", "bad", "bad", "5"), hello.events);
  }

  @Test
  void aNumberTooLongForALongIsMalformedNotWrapped() {
    feed(helloParser, "Hello World" + "9".repeat(ReplyParser.MAX_DIGITS) + "\n");
    feed(helloParser, "Hello World" + "9".repeat(ReplyParser.MAX_DIGITS + 1) + "\n");
    assertEquals(List.of("9".repeat(ReplyParser.MAX_DIGITS), "bad"), hello.events);
  }

  @Test
  void lineEndsMustMatchTheProtocol() {
    feed(redisParser, ":1\r\n", ":2\n", ":3\r\n", "-ERR wrong type\r\n", ":4\rx\n", ":5\r\n");
    assertEquals(List.of("1", "bad", "3", "bad", "bad", "5"), redis.events);
    feed(helloParser, "Hello World1\r\n", "Hello World2\n");
    assertEquals(List.of("bad", "2"), hello.events);
  }

  @Test
  void resetForgetsAPartialLine() {
    feed(helloParser, "Hello Wor");
    helloParser.reset();
    feed(helloParser, "Hello World9\n");
    assertEquals(List.of("9"), hello.events);
  }
}
