package dev.hellonet.supervisor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The supervisor's view of its workers, kept in a JSON file that every worker reads when asked for its status. A file
 * rather than a connection: the supervisor holds no socket at all, and a worker can report on its siblings even while
 * the supervisor is busy restarting one. Written by rename, so a reader never sees half a file.
 *
 * <p>The file lives in a directory of its own that only its owner may enter (0700), under the shared temporary
 * directory, and is written 0600: other local users can neither read the status (it names pids and exit codes) nor
 * plant a file or a symlink where the supervisor writes. Each write creates a new file without following links and
 * renames it over the old one, which replaces a link rather than writing through it.
 */
public final class StatusBoard {
  private static final Logger LOG = Logger.getLogger(StatusBoard.class.getName());
  /** The prefix of the private directory's name, then the supervisor's pid and a random part. */
  public static final String DIRECTORY_PREFIX = "hellonet-supervisor-";
  /** The status file's name in that directory. */
  public static final String FILE_NAME = "status.json";
  private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private final Path file;
  private final long supervisorPid;
  private final WorkerReport[] workers;
  private final long startedAtMs = System.currentTimeMillis();
  // A lock rather than synchronized: callers are virtual threads, which synchronized pins to their carrier on JDK 21.
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * A board in {@code directory}, which must be a directory (not a link to one) of the current user that nobody else
   * may enter.
   *
   * @throws IOException naming the directory and what is wrong with it
   */
  StatusBoard(Path directory, long supervisorPid, int workers) throws IOException {
    requirePrivate(directory);
    this.file = directory.resolve(FILE_NAME);
    this.supervisorPid = supervisorPid;
    this.workers = new WorkerReport[workers];
    for (int i = 0; i < workers; i++) {
      this.workers[i] = new WorkerReport(i, -1, WorkerState.STOPPED, 0, null, 0);
    }
  }

  /** A board in a new private directory under {@code parent} (the temporary directory, usually). */
  public static StatusBoard createIn(Path parent, long supervisorPid, int workers) throws IOException {
    Path directory = Files.createTempDirectory(parent, DIRECTORY_PREFIX + supervisorPid + "-",
        PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
    return new StatusBoard(directory, supervisorPid, workers);
  }

  private static void requirePrivate(Path directory) throws IOException {
    PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    String problem = null;
    if (attributes.isSymbolicLink()) {
      problem = "is a symbolic link";
    } else if (!attributes.isDirectory()) {
      problem = "is not a directory";
    } else if (!ownedByMe(directory)) {
      problem = "belongs to " + attributes.owner().getName() + ", not to this process's user";
    } else if (!attributes.permissions().equals(DIRECTORY_MODE)) {
      problem = "has mode " + PosixFilePermissions.toString(attributes.permissions()) + ", not rwx------";
    }
    if (problem != null) {
      throw new IOException("the supervisor's status directory " + directory + " " + problem);
    }
  }

  /**
   * By user id, not name: a container's user may have no name at all. Where /proc is missing (not Linux) the mode
   * check alone stands.
   */
  private static boolean ownedByMe(Path directory) throws IOException {
    Path self = Path.of("/proc/self");
    if (!Files.exists(self)) {
      return true;
    }
    return Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(self,
        "unix:uid"));
  }

  public Path file() {
    return file;
  }

  /** Records a worker's new report and rewrites the file. */
  public void update(WorkerReport report) {
    lock.lock();
    try {
      workers[report.index()] = report;
      write(toJson());
    } finally {
      lock.unlock();
    }
  }

  /** {@code {"pid", "startedAt", "workers": [WorkerReport]}}. */
  public JsonObject toJson() {
    lock.lock();
    try {
      JsonArray list = new JsonArray();
      for (WorkerReport w : workers) {
        list.add(w.toJson());
      }
      return new JsonObject().put("pid", supervisorPid)
          .put("startedAt", Instant.ofEpochMilli(startedAtMs).toString())
          .put("workers", list);
    } finally {
      lock.unlock();
    }
  }

  private void write(JsonObject json) {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    try {
      // Whatever is there (a leftover, or something planted) is removed, never opened: a link is unlinked, not followed.
      Files.deleteIfExists(tmp);
      try (SeekableByteChannel out = Files.newByteChannel(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE))) {
        ByteBuffer bytes = ByteBuffer.wrap(json.encode().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // The status is a report, not state: serving goes on without it.
      LOG.log(Level.WARNING, "cannot write the supervisor status to " + file + ": " + e);
    }
  }

  /** Removes the file and its directory once the supervisor is done. */
  public void delete() {
    remove(file);
  }

  /**
   * Removes the status file {@code statusFile} of a supervisor that is gone, and its private directory, when they are
   * named as {@link #createIn} names them: the workers of a supervisor killed outright clear what it could not.
   */
  public static void removeLeftOf(Path statusFile) {
    Path directory = statusFile.toAbsolutePath().getParent();
    if (statusFile.getFileName().toString().equals(FILE_NAME) && directory != null
        && directory.getFileName().toString().startsWith(DIRECTORY_PREFIX)) {
      remove(statusFile);
    }
  }

  private static void remove(Path statusFile) {
    try {
      Files.deleteIfExists(statusFile);
      Files.deleteIfExists(statusFile.resolveSibling(FILE_NAME + ".tmp"));
      Files.deleteIfExists(statusFile.toAbsolutePath().getParent());
    } catch (IOException e) {
      LOG.fine("cannot delete " + statusFile + " or its directory: " + e);
    }
  }
}
