package dev.hellonet.app;

import java.util.List;

/**
 * The kernel-defence warnings this node reports in its status (sysctl settings that leave it open to floods). Nothing
 * produces them yet: the flood-protection work supplies the real source, and until then the list is empty.
 */
final class KernelDefences {
  private KernelDefences() {}

  static List<String> warnings() {
    return List.of();
  }
}
