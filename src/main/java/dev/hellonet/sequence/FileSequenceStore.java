package dev.hellonet.sequence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link SequenceStore} kept in one small file holding the high-water mark. Every lease takes an OS file lock, reads
 * the mark, writes the raised mark and forces it to disk before the block is returned, so processes on one host can
 * (running as users allowed to write it) share the file, and a crash (even SIGKILL) never lets a number be handed out
 * twice. One store per file per process: POSIX locks belong to the process, so two stores on one file in one JVM
 * would release each other's lock on close. All file work runs on a dedicated
 * one-thread worker pool, never on an event loop.
 */
public final class FileSequenceStore implements SequenceStore {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(
      FileSequenceStore.class.getName());

  /** Opens the file's channel for reading and writing; a test substitutes one that records what reaches the disk. */
  interface ChannelOpener {
    FileChannel open(Path file) throws IOException;
  }

  private final Path file;
  private final boolean createIfMissing;
  private final WorkerExecutor worker;
  private final StoreHealth health = new StoreHealth();
  private final ChannelOpener opener;
  private FileChannel channel;
  private volatile long knownMark;
  /** Recent leases of this store, end -> start: give-back only accepts the unused tail of one of them. */
  private final Map<Long, Long> recentLeases = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
      return size() > 64;
    }
  };

  private FileSequenceStore(Path file, boolean createIfMissing, WorkerExecutor worker, ChannelOpener opener) {
    this.file = file.toAbsolutePath().normalize();
    this.createIfMissing = createIfMissing;
    this.worker = worker;
    this.opener = opener;
  }

  /** Opens the file, creating it at 1 if it does not exist: {@link #open(Vertx, Path, boolean)} with true. */
  public static Future<SequenceStore> open(Vertx vertx, Path file) {
    return open(vertx, file, true);
  }

  /**
   * Opens and validates the file. A missing file is created at 1 (logged loudly with its absolute path) when
   * {@code createIfMissing}, and otherwise stops the start naming the absolute path: a pod whose volume did not
   * persist must not quietly hand out every number of the earlier run again. Fails with a
   * {@link SequenceStoreException} naming the file when it is unreadable or corrupt: a broken file is never silently
   * reset.
   */
  public static Future<SequenceStore> open(Vertx vertx, Path file, boolean createIfMissing) {
    return open(vertx, file, createIfMissing,
        f -> FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  static Future<SequenceStore> open(Vertx vertx, Path file, ChannelOpener opener) {
    return open(vertx, file, true, opener);
  }

  private static Future<SequenceStore> open(Vertx vertx, Path file, boolean createIfMissing, ChannelOpener opener) {
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("hellonet-sequence-" + file.toAbsolutePath(), 1);
    FileSequenceStore store = new FileSequenceStore(file, createIfMissing, worker, opener);
    return store.<SequenceStore>blocking(() -> {
      store.openBlocking();
      return store;
    }).onFailure(e -> worker.close());
  }

  @Override
  public Future<Block> lease(long size) {
    if (size < 1) {
      return Future.failedFuture(new IllegalArgumentException("lease size must be >= 1, got " + size));
    }
    return blocking(() -> leaseBlocking(size));
  }

  @Override
  public Future<Boolean> giveBack(Block unused) {
    return blocking(() -> giveBackBlocking(unused));
  }

  @Override
  public Future<Long> highWaterMark() {
    return blocking(() -> {
      synchronized (this) {
        try (FileLock ignored = lock()) {
          return readSlot().next();
        }
      }
    });
  }

  @Override
  public long knownHighWaterMark() {
    return knownMark;
  }

  @Override
  public String describe() {
    return "file:" + file;
  }

  /**
   * The file's real path (two working directories can name one file differently, or two files alike) and the host it
   * is on: the same path on two hosts is two files.
   */
  @Override
  public Future<String> identity() {
    return blocking(() -> "file:" + (Files.exists(file) ? file.toRealPath() : file) + " on host "
        + java.net.InetAddress.getLocalHost().getHostName());
  }

  /** The absolute, normalised path of the file. */
  public Path path() {
    return file;
  }

  @Override
  public StoreHealth health() {
    return health;
  }

  @Override
  public io.vertx.core.json.JsonObject status() {
    return SequenceStore.super.status().put("kind", "file").put("path", file.toString());
  }

  @Override
  public Future<Void> close() {
    return blocking(() -> {
      synchronized (this) {
        if (channel != null) {
          channel.close();
          channel = null;
        }
      }
      return (Void) null;
    }).eventually(worker::close);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    try {
      return worker.executeBlocking(work, false);
    } catch (RejectedExecutionException e) {
      // The worker is gone once the store is closed; a late caller gets an answer, not an exception on its thread.
      return Future.failedFuture(new SequenceStoreException("sequence file " + file + " is closed"));
    }
  }

  private synchronized void openBlocking() throws IOException {
    if (!Files.exists(file)) {
      if (!createIfMissing) {
        throw SequenceStoreException.missing("sequence file " + file + " does not exist and sequence.createIfMissing"
            + " is false. Starting at 1 would hand out every number of an earlier run again: restore the file (or"
            + " mount the volume that holds it), or, if this really is a new deployment, create it once with"
            + " hellonet init-sequence.");
      }
      if (createAtomically()) {
        LOG.warning("CREATED A NEW SEQUENCE FILE at " + file + ": numbers start again at 1. If an earlier run used"
            + " another file (another working directory, a volume that did not persist), its numbers will repeat;"
            + " set sequence.createIfMissing=false to make a missing file stop the start instead.");
      }
    }
    if (Files.isDirectory(file)) {
      throw new SequenceStoreException("sequence file " + file + " is a directory, not a file");
    }
    try {
      channel = opener.open(file);
    } catch (IOException e) {
      throw new SequenceStoreException("cannot open sequence file " + file + " for reading and writing: " + e, e);
    }
    try (FileLock ignored = lock()) {
      readSlot();
    } catch (RuntimeException | IOException e) {
      channel.close();
      channel = null;
      throw e;
    }
  }

  /**
   * Writes a fresh file next to the target and links it into place, so that no process ever sees a half-written new
   * file, and two processes racing to create it end up sharing whichever was linked first. True if this one won.
   */
  private boolean createAtomically() throws IOException {
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".new");
    try {
      byte[] content = new byte[SequenceFile.FILE_BYTES];
      System.arraycopy(SequenceFile.encode(new SequenceFile.Slot(0, 1)), 0, content, 0, SequenceFile.SLOT_BYTES);
      System.arraycopy(SequenceFile.encode(new SequenceFile.Slot(0, 1)), 0, content, SequenceFile.SLOT_BYTES,
          SequenceFile.SLOT_BYTES);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(content));
        ch.force(true);
      }
      boolean created = true;
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raced) {
        created = false; // another process created it first: use theirs
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
      return created;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private synchronized Block leaseBlocking(long size) throws IOException {
    try (FileLock ignored = lock()) {
      SequenceFile.Slot current = readSlot();
      long end;
      try {
        end = Math.addExact(current.next(), size);
      } catch (ArithmeticException e) {
        throw new SequenceStoreException("sequence file " + file + " is exhausted: cannot lease " + size + " more after "
            + current.next());
      }
      write(new SequenceFile.Slot(current.generation() + 1, end));
      recentLeases.put(end, current.next());
      return new Block(current.next(), end);
    }
  }

  private synchronized boolean giveBackBlocking(Block unused) throws IOException {
    if (unused.size() == 0) {
      return true;
    }
    Long leasedFrom = recentLeases.get(unused.end());
    if (leasedFrom == null || unused.start() < leasedFrom) {
      return false; // not (the tail of) a block this store leased: taking it back could reissue someone's numbers
    }
    try (FileLock ignored = lock()) {
      SequenceFile.Slot current = readSlot();
      if (current.next() != unused.end()) {
        return false;
      }
      write(new SequenceFile.Slot(current.generation() + 1, unused.start()));
      recentLeases.remove(unused.end());
      return true;
    }
  }

  private FileChannel channel() {
    if (channel == null) {
      throw new SequenceStoreException("sequence file " + file + " is closed");
    }
    return channel;
  }

  /**
   * Takes the whole-file lock. Another store object on the same file in this JVM shows up as an overlapping lock
   * rather than blocking, so wait for it the same way the OS makes other processes wait.
   */
  private FileLock lock() throws IOException {
    while (true) {
      try {
        return channel().lock();
      } catch (OverlappingFileLockException sameJvm) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the lock on " + file, e);
        }
      }
    }
  }

  private SequenceFile.Slot readSlot() throws IOException {
    SequenceFile.Slot slot = readValidSlot();
    knownMark = slot.next();
    return slot;
  }

  private SequenceFile.Slot readValidSlot() throws IOException {
    FileChannel ch = channel();
    long length = ch.size();
    if (length != SequenceFile.FILE_BYTES) {
      throw new SequenceStoreException("sequence file " + file + " is corrupt: it is " + length + " bytes long, expected "
          + SequenceFile.FILE_BYTES + ". Refusing to start rather than risk handing out numbers twice; restore the file"
          + " or replace it with one whose mark is above every number ever sent.");
    }
    ByteBuffer buf = ByteBuffer.allocate(SequenceFile.FILE_BYTES);
    while (buf.hasRemaining()) {
      if (ch.read(buf, buf.position()) < 0) {
        break;
      }
    }
    byte[] bytes = buf.array();
    SequenceFile.Slot best = null;
    StringBuilder why = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      try {
        SequenceFile.Slot slot = SequenceFile.decode(bytes, i);
        if (best == null || slot.generation() > best.generation()) {
          best = slot;
        }
      } catch (SequenceFile.InvalidSlotException e) {
        why.append(why.isEmpty() ? "" : "; ").append(e.getMessage());
      }
    }
    if (best == null) {
      throw new SequenceStoreException("sequence file " + file + " is corrupt: " + why
          + ". Refusing to start rather than risk handing out numbers twice; restore the file or replace it with one"
          + " whose mark is above every number ever sent.");
    }
    return best;
  }

  private void write(SequenceFile.Slot slot) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(SequenceFile.encode(slot));
    long position = (slot.generation() % 2) * SequenceFile.SLOT_BYTES;
    while (buf.hasRemaining()) {
      position += channel().write(buf, position);
    }
    // The mark must be on disk before any number of the block can reach a client.
    channel().force(false);
    knownMark = slot.next();
  }
}
