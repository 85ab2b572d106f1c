package dev.hellonet.sequence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the sequence file: two fixed-size text slots, written alternately, each with a generation and
 * a checksum. A write torn by a crash can spoil only the slot being written; the other still holds the mark from
 * before, which is safe because no number of the torn lease had been handed out.
 *
 * <p>A slot reads {@code hellonet-sequence v1 gen=<g> next=<n> crc=<crc32c>}, padded to {@value #SLOT_BYTES} bytes
 * and ending in a newline, so {@code cat data/sequence} shows the state.
 */
final class SequenceFile {
  static final int SLOT_BYTES = 96;
  static final int FILE_BYTES = 2 * SLOT_BYTES;
  private static final String MAGIC = "hellonet-sequence v1";

  /** One decoded slot: the generation that wrote it and the next number to lease. */
  record Slot(long generation, long next) {}

  private SequenceFile() {}

  static byte[] encode(Slot slot) {
    String body = String.format("%s gen=%019d next=%019d", MAGIC, slot.generation(), slot.next());
    String line = body + String.format(" crc=%08x", crc(body));
    byte[] out = new byte[SLOT_BYTES];
    byte[] text = line.getBytes(StandardCharsets.US_ASCII);
    Arrays.fill(out, (byte) ' ');
    System.arraycopy(text, 0, out, 0, text.length);
    out[SLOT_BYTES - 1] = '\n';
    return out;
  }

  /** Decodes one slot, or explains why it is not valid. */
  static Slot decode(byte[] file, int index) throws InvalidSlotException {
    String line = new String(file, index * SLOT_BYTES, SLOT_BYTES, StandardCharsets.US_ASCII).strip();
    int crcAt = line.lastIndexOf(" crc=");
    if (!line.startsWith(MAGIC + " ") || crcAt < 0) {
      throw new InvalidSlotException("slot " + index + " does not start with \"" + MAGIC + "\"");
    }
    String body = line.substring(0, crcAt);
    String crcText = line.substring(crcAt + 5);
    long expected;
    try {
      expected = Long.parseLong(crcText, 16);
    } catch (NumberFormatException e) {
      throw new InvalidSlotException("slot " + index + " has an unreadable checksum \"" + crcText + "\"");
    }
    if (expected != crc(body)) {
      throw new InvalidSlotException("slot " + index + " fails its checksum");
    }
    String[] parts = body.substring(MAGIC.length() + 1).split(" ");
    if (parts.length != 2 || !parts[0].startsWith("gen=") || !parts[1].startsWith("next=")) {
      throw new InvalidSlotException("slot " + index + " has unexpected fields");
    }
    try {
      long generation = Long.parseLong(parts[0].substring(4));
      long next = Long.parseLong(parts[1].substring(5));
      if (next < 1 || generation < 0) {
        throw new InvalidSlotException("slot " + index + " holds out-of-range values");
      }
      return new Slot(generation, next);
    } catch (NumberFormatException e) {
      throw new InvalidSlotException("slot " + index + " has unreadable numbers");
    }
  }

  private static long crc(String body) {
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    return crc.getValue();
  }

  /** A slot that cannot be trusted. */
  static final class InvalidSlotException extends Exception {
    InvalidSlotException(String message) {
      super(message, null, false, false);
    }
  }
}
