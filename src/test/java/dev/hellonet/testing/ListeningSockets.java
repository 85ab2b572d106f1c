package dev.hellonet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Counts the sockets listening on a TCP port, as the kernel lists them, so that tests see what was really bound. */
public final class ListeningSockets {
  /** The state column's value for LISTEN in /proc/net/tcp. */
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Sockets in state LISTEN on {@code port}, IPv4 and IPv6. */
  public static int on(int port) throws IOException {
    String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[1].endsWith(hexPort) && LISTEN.equals(f[3])) {
          count++;
        }
      }
    }
    return count;
  }
}
