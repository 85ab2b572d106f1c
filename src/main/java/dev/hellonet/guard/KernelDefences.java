package dev.hellonet.guard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the kernel does against floods on this host, read (never written) from {@code /proc/sys} at start: SYN cookies
 * and the caps on the accept and SYN queues. Each weakness becomes a warning that names the sysctl to set. The host's
 * sysctls belong to its operator (or to the pod spec); the application only reports.
 *
 * @param sysctls   each sysctl read, with its value, or null where the platform does not have it
 * @param warnings  one sentence per weakness found, naming the sysctl and the value to set
 */
public record KernelDefences(Map<String, Long> sysctls, List<String> warnings) {
  public static final String SYNCOOKIES = "net.ipv4.tcp_syncookies";
  public static final String SOMAXCONN = "net.core.somaxconn";
  public static final String MAX_SYN_BACKLOG = "net.ipv4.tcp_max_syn_backlog";

  public KernelDefences {
    sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    warnings = List.copyOf(warnings);
  }

  /**
   * Reads the sysctls under {@code sysctlRoot} (normally {@code /proc/sys}) and judges them against the configured
   * accept backlog. {@code transportNote} is an extra warning about the listening socket (e.g. TCP_DEFER_ACCEPT not
   * applied), or null.
   */
  public static KernelDefences check(Path sysctlRoot, int acceptBacklog, String transportNote) {
    Map<String, Long> values = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    OptionalLong cookies = read(sysctlRoot, SYNCOOKIES);
    OptionalLong somaxconn = read(sysctlRoot, SOMAXCONN);
    OptionalLong synBacklog = read(sysctlRoot, MAX_SYN_BACKLOG);
    values.put(SYNCOOKIES, cookies.isPresent() ? cookies.getAsLong() : null);
    values.put(SOMAXCONN, somaxconn.isPresent() ? somaxconn.getAsLong() : null);
    values.put(MAX_SYN_BACKLOG, synBacklog.isPresent() ? synBacklog.getAsLong() : null);

    if (cookies.isPresent() && cookies.getAsLong() == 0) {
      warnings.add(SYNCOOKIES + " is 0: SYN cookies are off, so a SYN flood fills the half-open queue and legitimate"
          + " clients cannot connect; set " + SYNCOOKIES + "=1");
    }
    if (somaxconn.isPresent() && somaxconn.getAsLong() < acceptBacklog) {
      warnings.add(SOMAXCONN + " is " + somaxconn.getAsLong() + ": the kernel silently caps the accept backlog"
          + " (hello.acceptBacklog=" + acceptBacklog + ") at that; set " + SOMAXCONN + "=" + acceptBacklog
          + " or more");
    }
    if (synBacklog.isPresent() && synBacklog.getAsLong() < acceptBacklog) {
      warnings.add(MAX_SYN_BACKLOG + " is " + synBacklog.getAsLong() + ": fewer half-open connections than"
          + " hello.acceptBacklog=" + acceptBacklog + " can wait for their handshake; set " + MAX_SYN_BACKLOG + "="
          + acceptBacklog + " or more");
    }
    if (cookies.isEmpty() && somaxconn.isEmpty() && synBacklog.isEmpty()) {
      warnings.add("cannot read " + SYNCOOKIES + ", " + SOMAXCONN + " or " + MAX_SYN_BACKLOG + " under " + sysctlRoot
          + " (not Linux, or /proc/sys hidden): the kernel's SYN-flood defences are unknown");
    }
    if (transportNote != null) {
      warnings.add(transportNote);
    }
    return new KernelDefences(values, warnings);
  }

  /** The backlog used when the machine has no readable limits (Linux's default somaxconn since 5.4). */
  static final int FALLBACK_BACKLOG = 4096;

  /**
   * The accept backlog that fits this kernel: the smaller of {@code net.core.somaxconn} (above it the kernel silently
   * cuts the backlog) and {@code net.ipv4.tcp_max_syn_backlog} (above it the SYN queue is shorter than the accept
   * queue), or {@value #FALLBACK_BACKLOG} where neither can be read. {@code hello.acceptBacklog} 0 means this.
   */
  public static int fittingBacklog(Path sysctlRoot) {
    OptionalLong somaxconn = read(sysctlRoot, SOMAXCONN);
    OptionalLong synBacklog = read(sysctlRoot, MAX_SYN_BACKLOG);
    long fit = Math.min(somaxconn.orElse(Long.MAX_VALUE), synBacklog.orElse(Long.MAX_VALUE));
    return fit == Long.MAX_VALUE || fit <= 0 ? FALLBACK_BACKLOG : (int) Math.min(fit, 1 << 20);
  }

  /** A sysctl's value from its file under the root ({@code net.core.somaxconn} is {@code net/core/somaxconn}). */
  static OptionalLong read(Path sysctlRoot, String sysctl) {
    Path file = sysctlRoot.resolve(sysctl.replace('.', '/'));
    // Read as a stream: procfs files report size 0, and a read sized by the reported length can come back short.
    try (var in = Files.newInputStream(file)) {
      return OptionalLong.of(Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII)
          .trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** {@code {"sysctls": {name: value|null}, "warnings": [..]}}, for the status the HTTP API serves. */
  public JsonObject toJson() {
    JsonObject s = new JsonObject();
    sysctls.forEach(s::put);
    return new JsonObject().put("sysctls", s).put("warnings", new JsonArray(new ArrayList<>(warnings)));
  }
}
