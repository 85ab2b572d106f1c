package dev.hellonet.bridge;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded decoder: frames split anywhere come out whole, and an over-long length is refused from its prefix. */
class FrameDecoderTest {
  private static Buffer frame(String json) {
    return Buffer.buffer().appendInt(json.length()).appendString(json);
  }

  @Test
  void framesSplitAcrossReadsComeOutWholeAndInOrder() throws Exception {
    Buffer stream = frame("{\"a\":1}").appendBuffer(frame("{\"b\":2}")).appendBuffer(frame("{}"));
    FrameDecoder decoder = new FrameDecoder(1024);
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < stream.length(); i++) {
      decoder.feed(stream.getBuffer(i, i + 1));
      for (Buffer f = decoder.next(); f != null; f = decoder.next()) {
        seen.append(f.toString()).append('|');
      }
    }
    assertEquals("{\"a\":1}|{\"b\":2}|{}|", seen.toString());
    assertFalse(decoder.holdsIncompleteFrame());
  }

  @Test
  void lengthOverTheMaximumIsRefusedBeforeItsBytesArrive() {
    FrameDecoder decoder = new FrameDecoder(1024);
    decoder.feed(Buffer.buffer().appendInt(1025));
    FrameDecoder.FrameTooLongException e = assertThrows(FrameDecoder.FrameTooLongException.class, decoder::next);
    assertTrue(e.getMessage().contains("1025") && e.getMessage().contains("bridge.maxFrameBytes"), e.getMessage());
  }

  @Test
  void negativeLengthIsRefusedAsOverTheMaximum() {
    FrameDecoder decoder = new FrameDecoder(1024);
    decoder.feed(Buffer.buffer().appendInt(-1));
    assertThrows(FrameDecoder.FrameTooLongException.class, decoder::next);
  }

  @Test
  void aFrameOfExactlyTheMaximumPasses() throws Exception {
    FrameDecoder decoder = new FrameDecoder(8);
    decoder.feed(frame("\"123456\""));
    assertEquals("\"123456\"", decoder.next().toString());
  }

  @Test
  void cutFrameIsReportedAsIncomplete() throws Exception {
    FrameDecoder decoder = new FrameDecoder(1024);
    decoder.feed(frame("{\"a\":1}").getBuffer(0, 6));
    assertNull(decoder.next());
    assertTrue(decoder.holdsIncompleteFrame());
  }
}
