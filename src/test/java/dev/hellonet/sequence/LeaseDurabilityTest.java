package dev.hellonet.sequence;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guarantee behind "never twice, even after SIGKILL or a power cut": the raised mark is forced to disk before a
 * lease completes, so no number of the block can reach a client while the disk still holds the old mark. A recording
 * file channel shows the order in which writes, forces and the lease's completion happened.
 */
@ExtendWith(VertxExtension.class)
class LeaseDurabilityTest {
  @TempDir
  Path dir;

  @Test
  void theRaisedMarkIsForcedBeforeTheLeaseCompletes(Vertx vertx, VertxTestContext test) {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    FileSequenceStore.open(vertx, dir.resolve("sequence"),
            file -> new RecordingFileChannel(FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE),
                events))
        .compose(store -> {
          events.clear();
          return store.lease(100).map(block -> events.add("leased")).compose(v -> store.close());
        })
        .onComplete(test.succeeding(v -> test.verify(() -> {
          int leased = events.indexOf("leased");
          assertTrue(leased > 0, "the lease completed after touching the file: " + events);
          int lastWrite = events.subList(0, leased).lastIndexOf("write");
          assertTrue(lastWrite >= 0, "the lease wrote the raised mark: " + events);
          assertTrue(events.subList(lastWrite, leased).contains("force"),
              "forced after its last write and before completing: " + events);
          test.completeNow();
        })));
  }
}
