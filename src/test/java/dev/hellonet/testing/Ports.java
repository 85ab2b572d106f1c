package dev.hellonet.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for servers in other processes. */
public final class Ports {
  private Ports() {}

  /** The first of {@code count} consecutive ports that are free now (a node's workers use base + index). */
  public static int freeRange(int count) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ServerProcess.freePort();
      if (base + count > 65535) {
        continue;
      }
      boolean free = true;
      for (int i = 1; i < count && free; i++) {
        try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
          s.getLocalPort();
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no " + count + " consecutive free ports found");
  }
}
