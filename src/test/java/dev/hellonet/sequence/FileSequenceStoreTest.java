package dev.hellonet.sequence;

import dev.hellonet.testing.Await;
import dev.hellonet.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Checks that the file sequence store leases unique, durable blocks and refuses corrupt files instead of resetting. */
@ExtendWith(VertxExtension.class)
class FileSequenceStoreTest {
  private static final Pattern NEXT = Pattern.compile("next=(\\d+)");

  @TempDir
  Path dir;
  private Vertx vertx;
  private final List<SequenceStore> opened = new ArrayList<>();

  /** A fresh Vert.x per test from vertx-junit5, which closes it after {@link #closeStores()}. */
  @BeforeEach
  void useVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void closeStores() throws Exception {
    for (SequenceStore store : opened) {
      Await.result(store.close());
    }
  }

  private SequenceStore open(Vertx on, Path file) throws Exception {
    SequenceStore store = Await.result(FileSequenceStore.open(on, file));
    opened.add(store);
    return store;
  }

  private SequenceStore open(Path file) throws Exception {
    return open(vertx, file);
  }

  private void close(SequenceStore store) throws Exception {
    opened.remove(store);
    Await.result(store.close());
  }

  private static String shownPath(Path file) {
    return file.toAbsolutePath().normalize().toString();
  }

  /** Opening {@code file} must fail with a SequenceStoreException naming it; returns the message. */
  private String openFailure(Path file) throws Exception {
    Throwable e = Await.failure(FileSequenceStore.open(vertx, file));
    assertInstanceOf(SequenceStoreException.class, e, () -> "wrong failure: " + e);
    assertTrue(e.getMessage().contains(shownPath(file)), () -> "message should name the file: " + e.getMessage());
    return e.getMessage();
  }

  /** The {@code next=} mark written in slot 0 and slot 1 of the file. */
  private static long[] slotMarks(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(SequenceFile.FILE_BYTES, bytes.length);
    long[] marks = new long[2];
    for (int slot = 0; slot < 2; slot++) {
      String text = new String(bytes, slot * SequenceFile.SLOT_BYTES, SequenceFile.SLOT_BYTES, StandardCharsets.US_ASCII);
      Matcher m = NEXT.matcher(text);
      assertTrue(m.find(), "slot " + slot + " has no next=: " + text);
      marks[slot] = Long.parseLong(m.group(1));
    }
    return marks;
  }

  private static void overwriteSlot(Path file, int slot, byte[] content) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    System.arraycopy(content, 0, bytes, slot * SequenceFile.SLOT_BYTES, SequenceFile.SLOT_BYTES);
    Files.write(file, bytes);
  }

  private static byte[] garbage(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void missingFileInMissingDirectoryIsCreatedAndFirstLeaseStartsAtOne() throws Exception {
    Path file = dir.resolve("a").resolve("b").resolve("sequence");

    SequenceStore store = open(file);

    assertTrue(Files.isRegularFile(file));
    assertEquals(SequenceFile.FILE_BYTES, Files.size(file));
    assertEquals(1, store.knownHighWaterMark());
    assertEquals("file:" + shownPath(file), store.describe());
    assertEquals(new Block(1, 11), Await.result(store.lease(10)));
    try (var leftovers = Files.list(file.getParent())) {
      assertEquals(List.of(file), leftovers.toList(), "no temporary file may be left next to the sequence file");
    }
  }

  @Test
  void missingFileWithCreateIfMissingFalseStopsTheStartNamingTheAbsolutePathAndCreatesNothing() throws Exception {
    // A relative path, as in the default configuration: the message must say where it was really looked for.
    Path relative = Path.of("target", "no-such-dir-" + System.nanoTime(), "sequence");

    Throwable e = Await.failure(FileSequenceStore.open(vertx, relative, false));

    assertInstanceOf(SequenceStoreException.class, e, () -> "wrong failure: " + e);
    assertTrue(e.getMessage().contains(shownPath(relative)), () -> "message should name the absolute path: "
        + e.getMessage());
    assertTrue(e.getMessage().contains("sequence.createIfMissing"), e::getMessage);
    assertFalse(Files.exists(relative.getParent()), "nothing may be created when createIfMissing is false");
  }

  @Test
  void existingFileOpensWithCreateIfMissingFalse() throws Exception {
    Path file = dir.resolve("sequence");
    close(open(file));

    SequenceStore store = Await.result(FileSequenceStore.open(vertx, file, false));
    opened.add(store);
    assertEquals(new Block(1, 6), Await.result(store.lease(5)));
  }

  @Test
  void creatingTheFileIsLoggedAsAWarningWithTheAbsolutePath() throws Exception {
    Path file = dir.resolve("fresh").resolve("sequence");
    List<java.util.logging.LogRecord> records;
    try (LogCapture log = LogCapture.of(FileSequenceStore.class)) {
      close(open(file));
      open(file); // opening an existing file says nothing
      records = log.records();
    }

    assertEquals(1, records.size(), () -> "one record for the one creation: " + records.stream()
        .map(java.util.logging.LogRecord::getMessage).toList());
    assertEquals(java.util.logging.Level.WARNING, records.get(0).getLevel());
    assertTrue(records.get(0).getMessage().contains("CREATED A NEW SEQUENCE FILE at " + shownPath(file)),
        records.get(0).getMessage());
  }

  @Test
  void statusShowsTheAbsolutePathAndHealth() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);

    var status = store.status();
    assertEquals("file", status.getString("kind"));
    assertEquals(shownPath(file), status.getString("path"));
    assertEquals(1L, status.getLong("highWaterMark"));
    assertTrue(status.getBoolean("healthy"));
  }

  @Test
  void successiveLeasesAreDisjointContiguousAndIncreasing() throws Exception {
    SequenceStore store = open(dir.resolve("sequence"));
    long[] sizes = {1, 5, 1024, 3, 100_000, 7};

    long expectedStart = 1;
    for (long size : sizes) {
      Block block = Await.result(store.lease(size));
      assertEquals(expectedStart, block.start(), "each lease starts where the previous one ended");
      assertEquals(size, block.size());
      expectedStart = block.end();
    }
    assertEquals(1 + Arrays.stream(sizes).sum(), expectedStart);
  }

  @Test
  void reopeningAfterCloseContinuesAboveTheLastLease() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore first = open(file);
    Await.result(first.lease(10));
    Block last = Await.result(first.lease(25));
    close(first);

    SequenceStore second = open(file);

    assertEquals(last.end(), second.knownHighWaterMark());
    assertEquals(new Block(last.end(), last.end() + 4), Await.result(second.lease(4)));
  }

  @Test
  void twoStoresOnOneFileLeasingConcurrentlyNeverOverlap() throws Exception {
    Path file = dir.resolve("sequence");
    // A second Vert.x instance gives the second store its own worker thread, so the two really contend for the lock.
    Vertx otherVertx = Vertx.vertx();
    ExecutorService callers = Executors.newFixedThreadPool(2);
    SequenceStore b = null;
    try {
      SequenceStore a = open(vertx, file);
      b = Await.result(FileSequenceStore.open(otherVertx, file));
      SequenceStore second = b;
      int leasesEach = 200;
      CyclicBarrier start = new CyclicBarrier(2);

      java.util.concurrent.Future<List<Block>> fromA = callers.submit(() -> leaseMany(a, leasesEach, start));
      java.util.concurrent.Future<List<Block>> fromB = callers.submit(() -> leaseMany(second, leasesEach, start));
      List<Block> all = new ArrayList<>(fromA.get(10, TimeUnit.SECONDS));
      all.addAll(fromB.get(10, TimeUnit.SECONDS));

      assertEquals(2 * leasesEach, all.size());
      all.sort(Comparator.comparingLong(Block::start));
      assertEquals(1, all.get(0).start());
      for (int i = 1; i < all.size(); i++) {
        Block before = all.get(i - 1);
        Block after = all.get(i);
        assertEquals(before.end(), after.start(), "blocks " + before + " and " + after + " overlap or leave a gap");
      }
      long end = all.get(all.size() - 1).end();
      assertEquals(end, Await.result(a.highWaterMark()));
      assertEquals(end, Await.result(b.highWaterMark()));
    } finally {
      callers.shutdownNow();
      if (b != null) {
        Await.result(b.close());
      }
      Await.result(otherVertx.close());
    }
  }

  /** Waits for the other caller, issues {@code count} leases of varying sizes at once, then waits for them all. */
  private static List<Block> leaseMany(SequenceStore store, int count, CyclicBarrier start) throws Exception {
    start.await(10, TimeUnit.SECONDS);
    List<Future<Block>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pending.add(store.lease(1 + i % 7));
    }
    List<Block> blocks = new ArrayList<>();
    for (Future<Block> f : pending) {
      blocks.add(Await.result(f));
    }
    return blocks;
  }

  @Test
  void fileIsHumanReadableText() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));

    String text = Files.readString(file, StandardCharsets.US_ASCII);

    assertTrue(text.contains("hellonet-sequence v1"), text);
    assertTrue(text.contains("next="), text);
    assertEquals(2, text.lines().count(), "one line per slot: " + text);
    assertTrue(text.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), "printable ASCII only: " + text);
    long[] marks = slotMarks(file);
    assertEquals(11, Math.max(marks[0], marks[1]), "the newest slot holds the next unleased number");
  }

  @Test
  void randomGarbageOfTheRightLengthIsRejectedAsCorruptAndLeftAlone() throws Exception {
    Path file = dir.resolve("sequence");
    byte[] content = garbage(SequenceFile.FILE_BYTES, 42);
    Files.write(file, content);

    String message = openFailure(file);

    assertTrue(message.contains("corrupt"), message);
    assertArrayEquals(content, Files.readAllBytes(file), "a corrupt file must not be rewritten");
  }

  @Test
  void emptyExistingFileIsRejectedAsCorruptNotResetToOne() throws Exception {
    Path file = dir.resolve("sequence");
    Files.createFile(file);

    String message = openFailure(file);

    assertTrue(message.contains("corrupt"), message);
    assertEquals(0, Files.size(file), "an empty file must not be re-initialised");
  }

  @Test
  void fileTruncatedToOneSlotIsRejected() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));
    close(store);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, SequenceFile.SLOT_BYTES));

    String message = openFailure(file);

    assertTrue(message.contains("corrupt"), message);
    assertTrue(message.contains(String.valueOf(SequenceFile.SLOT_BYTES)), message);
  }

  @Test
  void fileWithTrailingBytesIsRejected() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));
    close(store);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, SequenceFile.FILE_BYTES + 1));

    String message = openFailure(file);

    assertTrue(message.contains("corrupt"), message);
  }

  @Test
  void directoryInPlaceOfTheFileIsRejectedWithAClearMessage() throws Exception {
    Path file = Files.createDirectory(dir.resolve("sequence"));

    String message = openFailure(file);

    assertTrue(message.contains("directory"), message);
  }

  @Test
  void tornWriteOfTheNewestSlotFallsBackToTheOtherSlot() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));
    Block previous = Await.result(store.lease(20));
    Block torn = Await.result(store.lease(30));
    close(store);
    long[] marks = slotMarks(file);
    int newest = marks[0] == torn.end() ? 0 : 1;
    assertEquals(torn.end(), marks[newest]);
    assertEquals(previous.end(), marks[1 - newest], "the other slot holds the previous lease's end");

    overwriteSlot(file, newest, garbage(SequenceFile.SLOT_BYTES, 7));
    SequenceStore reopened = open(file);

    assertEquals(previous.end(), Await.result(reopened.highWaterMark()));
    assertEquals(new Block(previous.end(), previous.end() + 5), Await.result(reopened.lease(5)));
  }

  @Test
  void tornWriteOfTheOlderSlotKeepsTheNewestMark() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));
    Await.result(store.lease(20));
    Block last = Await.result(store.lease(30));
    close(store);
    long[] marks = slotMarks(file);
    int older = marks[0] == last.end() ? 1 : 0;
    assertEquals(last.end(), marks[1 - older]);

    overwriteSlot(file, older, garbage(SequenceFile.SLOT_BYTES, 8));
    SequenceStore reopened = open(file);

    assertEquals(new Block(last.end(), last.end() + 5), Await.result(reopened.lease(5)));
  }

  @Test
  void newestSlotWithAChangedDigitFailsItsChecksumAndFallsBack() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Block previous = Await.result(store.lease(100));
    Block last = Await.result(store.lease(100));
    close(store);
    long[] marks = slotMarks(file);
    int newest = marks[0] == last.end() ? 0 : 1;
    byte[] bytes = Files.readAllBytes(file);
    String slotText = new String(bytes, newest * SequenceFile.SLOT_BYTES, SequenceFile.SLOT_BYTES,
        StandardCharsets.US_ASCII);
    // Raise the mark by 10^k without touching the checksum: still well-formed text, but not what was written.
    String raised = slotText.replace("next=0", "next=9");
    assertFalse(raised.equals(slotText));
    overwriteSlot(file, newest, raised.getBytes(StandardCharsets.US_ASCII));

    SequenceStore reopened = open(file);

    assertEquals(previous.end(), Await.result(reopened.lease(1)).start());
  }

  @Test
  void giveBackOfTheTopBlockIsTakenAndItsNumbersLeasedAgain() throws Exception {
    SequenceStore store = open(dir.resolve("sequence"));
    Await.result(store.lease(10));
    Block top = Await.result(store.lease(50));

    assertTrue(Await.result(store.giveBack(top)));

    assertEquals(top.start(), store.knownHighWaterMark());
    assertEquals(top.start(), Await.result(store.highWaterMark()));
    assertEquals(new Block(top.start(), top.start() + 3), Await.result(store.lease(3)));
  }

  @Test
  void giveBackOfTheUnusedTailOfTheTopBlockIsTaken() throws Exception {
    SequenceStore store = open(dir.resolve("sequence"));
    Block top = Await.result(store.lease(100));
    Block tail = new Block(top.start() + 40, top.end());

    assertTrue(Await.result(store.giveBack(tail)));

    assertEquals(tail.start(), Await.result(store.lease(1)).start());
  }

  @Test
  void giveBackOfABlockWithALaterLeaseAboveItIsRefused() throws Exception {
    SequenceStore store = open(dir.resolve("sequence"));
    Block earlier = Await.result(store.lease(10));
    Block later = Await.result(store.lease(10));

    assertFalse(Await.result(store.giveBack(earlier)));

    assertEquals(later.end(), Await.result(store.highWaterMark()));
    assertEquals(later.end(), Await.result(store.lease(1)).start());
  }

  @Test
  void giveBackIsRefusedAfterAnotherStoreLeasedAboveIt() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore mine = open(file);
    SequenceStore theirs = open(file);
    Block myBlock = Await.result(mine.lease(10));
    Block theirBlock = Await.result(theirs.lease(10));

    assertFalse(Await.result(mine.giveBack(myBlock)));

    assertEquals(theirBlock.end(), Await.result(mine.lease(1)).start());
  }

  @Test
  void giveBackSurvivesARestart() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    Await.result(store.lease(10));
    Block top = Await.result(store.lease(10));
    assertTrue(Await.result(store.giveBack(top)));
    close(store);

    SequenceStore reopened = open(file);

    assertEquals(top.start(), Await.result(reopened.lease(1)).start());
  }

  @Test
  void highWaterMarksReportTheNextUnleasedNumber() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore store = open(file);
    assertEquals(1, store.knownHighWaterMark());
    assertEquals(1L, Await.result(store.highWaterMark()));

    Block block = Await.result(store.lease(10));

    assertEquals(block.end(), store.knownHighWaterMark());
    assertEquals(block.end(), Await.result(store.highWaterMark()));
    assertEquals(11, block.end());
  }

  @Test
  void knownHighWaterMarkIsWhatThisStoreLastSawAndHighWaterMarkReadsTheFile() throws Exception {
    Path file = dir.resolve("sequence");
    SequenceStore watcher = open(file);
    SequenceStore leaser = open(file);

    Block block = Await.result(leaser.lease(10));

    assertEquals(1, watcher.knownHighWaterMark(), "no I/O, so the other store's lease is not seen yet");
    assertEquals(block.end(), Await.result(watcher.highWaterMark()));
    assertEquals(block.end(), watcher.knownHighWaterMark(), "reading the file refreshes the known mark");
  }

  @Test
  void leaseOfZeroOrNegativeSizeFailsAndLeasesNothing() throws Exception {
    SequenceStore store = open(dir.resolve("sequence"));

    assertInstanceOf(IllegalArgumentException.class, Await.failure(store.lease(0)));
    assertInstanceOf(IllegalArgumentException.class, Await.failure(store.lease(-5)));

    assertEquals(1L, Await.result(store.highWaterMark()));
    assertEquals(new Block(1, 2), Await.result(store.lease(1)));
  }

  @Test
  void giveBackWiderThanTheLeaseIsRefusedSoNobodysNumbersAreReissued() throws Exception {
    Path file = dir.resolve("wide");
    SequenceStore a = open(file);
    SequenceStore b = open(vertx, file);
    Block first = Await.result(a.lease(10));
    Block second = Await.result(b.lease(10));
    assertFalse(Await.result(b.giveBack(new Block(first.start(), second.end()))), "b never leased a's numbers");
    assertEquals(second.end(), Await.result(a.lease(5)).start());
  }

  @Test
  void callsAfterCloseFailWithAClearErrorInsteadOfThrowing() throws Exception {
    Path file = dir.resolve("closed");
    SequenceStore store = open(file);
    Block block = Await.result(store.lease(10));
    close(store);

    for (Future<?> late : List.of(store.lease(5), store.giveBack(block), store.highWaterMark())) {
      Throwable e = Await.failure(late);
      assertInstanceOf(SequenceStoreException.class, e, () -> "wrong failure: " + e);
      assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(shownPath(file)), e.getMessage());
    }
  }
}
