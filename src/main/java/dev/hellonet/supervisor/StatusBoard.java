package dev.hellonet.supervisor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The supervisor's view of its workers, kept in a JSON file that every worker reads when asked for its status. A file
 * rather than a connection: the supervisor holds no socket at all, and a worker can report on its siblings even while
 * the supervisor is busy restarting one. Written by rename, so a reader never sees half a file.
 */
public final class StatusBoard {
  private static final Logger LOG = Logger.getLogger(StatusBoard.class.getName());

  private final Path file;
  private final long supervisorPid;
  private final WorkerReport[] workers;
  private final long startedAtMs = System.currentTimeMillis();
  // A lock rather than synchronized: callers are virtual threads, which synchronized pins to their carrier on JDK 21.
  private final ReentrantLock lock = new ReentrantLock();

  public StatusBoard(Path file, long supervisorPid, int workers) {
    this.file = file;
    this.supervisorPid = supervisorPid;
    this.workers = new WorkerReport[workers];
    for (int i = 0; i < workers; i++) {
      this.workers[i] = new WorkerReport(i, -1, WorkerState.STOPPED, 0, null, 0);
    }
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
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, json.encode());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // The status is a report, not state: serving goes on without it.
      LOG.log(Level.WARNING, "cannot write the supervisor status to " + file + ": " + e);
    }
  }

  /** Removes the file once the supervisor is done. */
  public void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.fine("cannot delete " + file + ": " + e);
    }
  }
}
