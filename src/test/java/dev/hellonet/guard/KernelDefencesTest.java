package dev.hellonet.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up checks of the kernel's SYN-flood defences, against fake /proc/sys trees. */
class KernelDefencesTest {
  @TempDir
  Path root;

  private void sysctl(String name, String value) throws IOException {
    Path file = root.resolve(name.replace('.', '/'));
    Files.createDirectories(file.getParent());
    Files.writeString(file, value + "\n");
  }

  @Test
  void aWellTunedHostGivesNoWarnings() throws IOException {
    sysctl(KernelDefences.SYNCOOKIES, "1");
    sysctl(KernelDefences.SOMAXCONN, "65535");
    sysctl(KernelDefences.MAX_SYN_BACKLOG, "8192");
    KernelDefences k = KernelDefences.check(root, 8192, null);
    assertEquals(0, k.warnings().size(), k.warnings().toString());
    assertEquals(1L, k.sysctls().get(KernelDefences.SYNCOOKIES));
    assertEquals(65535L, k.sysctls().get(KernelDefences.SOMAXCONN));
  }

  @Test
  void theDefaultBacklogFitsAStockKernelAndRaisesNoWarning() throws IOException {
    sysctl(KernelDefences.SYNCOOKIES, "1");
    sysctl(KernelDefences.SOMAXCONN, "4096");
    sysctl(KernelDefences.MAX_SYN_BACKLOG, "2048");
    int fit = KernelDefences.fittingBacklog(root);
    assertEquals(2048, fit, "the smaller of the two limits");
    assertEquals(List.of(), KernelDefences.check(root, fit, null).warnings());
    // An explicit value the kernel cuts keeps its warnings.
    assertEquals(2, KernelDefences.check(root, 8192, null).warnings().size());
  }

  @Test
  void withoutReadableLimitsTheBacklogFallsBackTo4096() {
    assertEquals(4096, KernelDefences.fittingBacklog(root.resolve("nothing-here")));
  }

  @Test
  void cookiesOffAndSmallQueuesEachGetAWarningNamingTheSysctlToSet() throws IOException {
    sysctl(KernelDefences.SYNCOOKIES, "0");
    sysctl(KernelDefences.SOMAXCONN, "4096");
    sysctl(KernelDefences.MAX_SYN_BACKLOG, "128");
    KernelDefences k = KernelDefences.check(root, 8192, null);
    assertEquals(3, k.warnings().size(), k.warnings().toString());
    assertTrue(k.warnings().get(0).contains("net.ipv4.tcp_syncookies=1"), k.warnings().get(0));
    assertTrue(k.warnings().get(1).contains("net.core.somaxconn=8192"), k.warnings().get(1));
    assertTrue(k.warnings().get(1).contains("4096"), k.warnings().get(1));
    assertTrue(k.warnings().get(2).contains("net.ipv4.tcp_max_syn_backlog=8192"), k.warnings().get(2));
    assertEquals(3, k.toJson().getJsonArray("warnings").size());
  }

  @Test
  void alwaysOnCookiesAndAnEqualBacklogAreFine() throws IOException {
    sysctl(KernelDefences.SYNCOOKIES, "2");
    sysctl(KernelDefences.SOMAXCONN, "1024");
    sysctl(KernelDefences.MAX_SYN_BACKLOG, "1024");
    assertEquals(0, KernelDefences.check(root, 1024, null).warnings().size());
  }

  @Test
  void missingSysctlsAreReportedAsUnknownNotAsAFailure() {
    KernelDefences k = KernelDefences.check(root.resolve("nothing-here"), 8192, null);
    assertNull(k.sysctls().get(KernelDefences.SOMAXCONN));
    assertEquals(1, k.warnings().size());
    assertTrue(k.warnings().get(0).contains("unknown"), k.warnings().get(0));
  }

  @Test
  void aTransportNoteIsKeptAmongTheWarnings() throws IOException {
    sysctl(KernelDefences.SYNCOOKIES, "1");
    KernelDefences k = KernelDefences.check(root, 8192, "TCP_DEFER_ACCEPT not applied");
    assertEquals("TCP_DEFER_ACCEPT not applied", k.warnings().get(k.warnings().size() - 1));
  }

  @Test
  void theRealProcSysIsReadWhereItExists() {
    Path real = Path.of("/proc/sys");
    dev.hellonet.testing.NeededTool.require(Files.isReadable(real.resolve("net/core/somaxconn")),
        () -> "no readable /proc/sys/net/core/somaxconn on this machine");
    assertTrue(KernelDefences.check(real, 8192, null).sysctls().get(KernelDefences.SOMAXCONN) > 0);
  }
}
