package dev.hellonet.attack;

import dev.hellonet.app.Hellonet;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig;
import dev.hellonet.testing.Await;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A hellonet node for bench/attack.sh: configured like the real service (defaults, then HELLONET_* variables), and
 * writing its counters snapshot and protection status to a file every 200 ms, because the counters otherwise only
 * travel on the event bus inside the process. Runs until killed.
 *
 * <p>Usage: {@code AttackServer <status-file>}.
 */
public final class AttackServer {
  private AttackServer() {}

  public static void main(String[] args) throws Exception {
    Path statusFile = Path.of(args[0]);
    HellonetConfig config = ConfigLoader.load(System.getenv());
    Hellonet node = Await.result(Hellonet.start(config), 60);
    Path tmp = statusFile.resolveSibling(statusFile.getFileName() + ".tmp");
    while (true) {
      JsonObject status = new JsonObject()
          .put("pid", ProcessHandle.current().pid())
          .put("port", node.helloPort())
          .put("counters", node.counters().snapshot())
          .put("protection", node.protection().status());
      Files.writeString(tmp, status.encode());
      Files.move(tmp, statusFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(200);
    }
  }
}
