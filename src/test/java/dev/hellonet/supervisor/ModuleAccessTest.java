package dev.hellonet.supervisor;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hazelcast's module access reaches every JVM hellonet starts: the jar's manifest (pom) lists exactly
 * {@link ModuleAccess}, and a worker's command line carries it as flags, once, whatever the supervisor was given.
 * (That a started jar and started workers really stop Hazelcast's warning: JarModuleAccessIT, SupervisedWorkersTest.)
 */
class ModuleAccessTest {
  @Test
  void theJarManifestListsTheSamePackages() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    assertEquals(ModuleAccess.OPENS, manifestEntry(pom, "Add-Opens"));
    assertEquals(ModuleAccess.EXPORTS, manifestEntry(pom, "Add-Exports"));
  }

  @Test
  void aWorkerGetsTheFlagsOnceWhetherOrNotTheSupervisorHadThem() {
    List<String> plain = WorkerCommand.of(List.of("-Xmx256m"), "dev.hellonet.Main").forWorker(0, Path.of("s"));
    List<String> flagged = WorkerCommand.of(ModuleAccess.jvmFlags(), "dev.hellonet.Main").forWorker(0, Path.of("s"));
    for (String flag : ModuleAccess.jvmFlags()) {
      assertEquals(1, Collections.frequency(plain, flag), flag + " in " + plain);
      assertEquals(1, Collections.frequency(flagged, flag), flag + " in " + flagged);
      assertTrue(plain.indexOf(flag) < plain.indexOf("dev.hellonet.Main"), "a JVM option, before the main class");
    }
    assertTrue(plain.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), plain.toString());
    assertTrue(plain.contains("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"), plain.toString());
  }

  private static List<String> manifestEntry(String pom, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(pom);
    assertTrue(m.find(), name + " in the pom's manifest entries");
    return Arrays.asList(m.group(1).trim().split("\\s+"));
  }
}
