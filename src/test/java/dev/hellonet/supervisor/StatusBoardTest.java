package dev.hellonet.supervisor;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervisor's status file sits in the shared temporary directory, where any local user can create names: it is
 * kept where only its owner can reach it, and written so that nothing planted beside it is read or written through.
 */
class StatusBoardTest {
  @TempDir
  Path tmp;

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static WorkerReport running(int index) {
    return new WorkerReport(index, 1234, WorkerState.RUNNING, 0, null, System.currentTimeMillis());
  }

  @Test
  void theStatusIsAnOwnerOnlyFileInAnOwnerOnlyDirectoryOfItsOwn() throws Exception {
    StatusBoard board = StatusBoard.createIn(tmp, 42, 2);
    Path dir = board.file().getParent();
    assertEquals(tmp, dir.getParent());
    assertTrue(dir.getFileName().toString().startsWith("hellonet-supervisor-42-"), dir.toString());
    assertEquals("rwx------", mode(dir));

    board.update(running(1));
    assertTrue(Files.isRegularFile(board.file(), LinkOption.NOFOLLOW_LINKS));
    assertEquals("rw-------", mode(board.file()));
    assertEquals(1234, new JsonObject(Files.readString(board.file())).getJsonArray("workers").getJsonObject(1)
        .getLong("pid"));

    board.delete();
    assertFalse(Files.exists(dir), "the directory goes with the file");
  }

  /** Both names the supervisor writes are planted as links to files of the victim's: neither file is touched. */
  @Test
  void plantedSymlinksAreReplacedNeverFollowed() throws Exception {
    Path victim = Files.writeString(tmp.resolve("victim"), "the victim's data");
    Path otherVictim = Files.writeString(tmp.resolve("other-victim"), "more of it");
    Path dir = Files.createDirectory(tmp.resolve("board"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.createSymbolicLink(dir.resolve(StatusBoard.FILE_NAME + ".tmp"), victim);
    Files.createSymbolicLink(dir.resolve(StatusBoard.FILE_NAME), otherVictim);

    StatusBoard board = new StatusBoard(dir, 42, 1);
    board.update(running(0));

    assertEquals("the victim's data", Files.readString(victim));
    assertEquals("more of it", Files.readString(otherVictim));
    assertFalse(Files.isSymbolicLink(board.file()), "the link was replaced by the status itself");
    assertEquals("rw-------", mode(board.file()));
    assertEquals(42, new JsonObject(Files.readString(board.file())).getLong("pid"));
    assertFalse(Files.exists(dir.resolve(StatusBoard.FILE_NAME + ".tmp"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aDirectoryOthersCanReachOrALinkToOneIsRefusedNamingWhy() throws Exception {
    Path open = Files.createDirectory(tmp.resolve("open"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    IOException refused = assertThrows(IOException.class, () -> new StatusBoard(open, 42, 1));
    assertTrue(refused.getMessage().contains(open + " has mode rwxr-xr-x, not rwx------"), refused.getMessage());

    Path real = Files.createDirectory(tmp.resolve("real"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    refused = assertThrows(IOException.class, () -> new StatusBoard(link, 42, 1));
    assertTrue(refused.getMessage().contains(link + " is a symbolic link"), refused.getMessage());
  }

  @Test
  void theWorkersOfAKilledSupervisorRemoveOnlyWhatIsNamedAsItsStatus() throws Exception {
    StatusBoard board = StatusBoard.createIn(tmp, 42, 1);
    board.update(running(0));
    StatusBoard.removeLeftOf(board.file());
    assertFalse(Files.exists(board.file().getParent()));

    Path elsewhere = Files.writeString(tmp.resolve(StatusBoard.FILE_NAME), "{}");
    StatusBoard.removeLeftOf(elsewhere);
    assertTrue(Files.exists(elsewhere), "not in a directory named as the supervisor's: left alone");
  }
}
