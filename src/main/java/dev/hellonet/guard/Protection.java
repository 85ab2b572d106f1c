package dev.hellonet.guard;

import dev.hellonet.config.HellonetConfig;
import dev.hellonet.config.HellonetConfig.ProtectionConfig;
import dev.hellonet.net.DeferAcceptTransport;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * A node's flood and abuse protection: the kernel checks made at start, the resolved limits, and the admission state
 * every hello-server instance shares. One per node, built before the verticles and handed to each.
 */
public final class Protection {
  private static final Logger LOG = Logger.getLogger(Protection.class.getName());
  private static final Path PROC_SYS = Path.of("/proc/sys");
  private static final Path PROC_SELF_LIMITS = Path.of("/proc/self/limits");

  private final ProtectionConfig config;
  private final AdmissionControl admission;
  private final KernelDefences kernel;
  private final String maxConnectionsSource;
  private final int acceptBacklog;
  private final String acceptBacklogSource;
  private final int deferAcceptSeconds;
  private final boolean deferAcceptApplied;

  private Protection(ProtectionConfig config, AdmissionControl admission, KernelDefences kernel,
                     String maxConnectionsSource, int acceptBacklog, String acceptBacklogSource,
                     int deferAcceptSeconds, boolean deferAcceptApplied) {
    this.config = config;
    this.admission = admission;
    this.kernel = kernel;
    this.maxConnectionsSource = maxConnectionsSource;
    this.acceptBacklog = acceptBacklog;
    this.acceptBacklogSource = acceptBacklogSource;
    this.deferAcceptSeconds = deferAcceptSeconds;
    this.deferAcceptApplied = deferAcceptApplied;
  }

  /** Reads the host's limits from /proc, logs what is weak, and sets up admission. Blocking: call before Vert.x runs. */
  public static Protection create(HellonetConfig config, Transport transport) {
    return create(config, transport, PROC_SYS, PROC_SELF_LIMITS);
  }

  /** As {@link #create(HellonetConfig, Transport)}, reading sysctls and limits from the given places (for tests). */
  public static Protection create(HellonetConfig config, Transport transport, Path sysctlRoot, Path limitsFile) {
    ProtectionConfig p = config.protection();
    int deferSeconds = config.hello().deferAcceptSeconds();
    boolean deferApplied = deferSeconds > 0 && DeferAcceptTransport.appliesDeferAccept(transport);
    String transportNote = deferSeconds > 0 && !deferApplied
        ? "hello.deferAcceptSeconds=" + deferSeconds + " is not applied: the transport is " + transport.name()
          + ", and TCP_DEFER_ACCEPT needs the native epoll transport; connections that never send cost an accept"
          + " and a first-request timer each"
        : null;
    // An explicit backlog the kernel cuts is warned about; the default (0) is sized to fit, so it never is.
    int configuredBacklog = config.hello().acceptBacklog();
    int backlog = configuredBacklog > 0 ? configuredBacklog : KernelDefences.fittingBacklog(sysctlRoot);
    String backlogSource = configuredBacklog > 0 ? "hello.acceptBacklog"
        : "sized from the kernel: the smaller of " + KernelDefences.SOMAXCONN + " and " + KernelDefences.MAX_SYN_BACKLOG;
    KernelDefences kernel = KernelDefences.check(sysctlRoot, backlog, transportNote);
    kernel.warnings().forEach(w -> LOG.warning("flood protection: " + w));

    int max;
    String source;
    if (p.maxConnections() > 0) {
      max = p.maxConnections();
      source = "protection.maxConnections";
    } else {
      OptionalLong limit = OpenFileLimit.read(limitsFile);
      long fds = limit.orElse(OpenFileLimit.FALLBACK_LIMIT);
      max = OpenFileLimit.capFor(fds);
      source = limit.isPresent() ? "open-file limit " + fds + " minus headroom"
          : "open-file limit unknown (" + limitsFile + " unreadable), assumed " + fds;
    }
    LOG.info("flood protection: at most " + max + " connections (" + source + "), " + p.maxConnectionsPerAddress()
        + " per address, " + p.newConnectionsPerSecond() + "/s (burst " + p.newConnectionsBurst()
        + ") new per address, allow-list [" + p.allowList() + "]; accept backlog " + backlog + " (" + backlogSource
        + "), TCP_DEFER_ACCEPT " + (deferApplied ? deferSeconds + " s" : "off"));
    return new Protection(p, new AdmissionControl(p, max), kernel, source, backlog, backlogSource,
        deferSeconds, deferApplied);
  }

  /** A guard for one hello-server instance, counting into {@code counters}. */
  public ConnectionGuard guard(AbuseCounters counters) {
    return new ConnectionGuard(admission, config, counters);
  }

  /** The accept backlog of the hello server's listening socket: {@code hello.acceptBacklog}, or sized to the kernel. */
  public int acceptBacklog() {
    return acceptBacklog;
  }

  public KernelDefences kernel() {
    return kernel;
  }

  public AdmissionControl admission() {
    return admission;
  }

  /** Live node-wide figures for the counters snapshot: open connections against the cap, and the warning count. */
  public JsonObject counters() {
    return new JsonObject()
        .put("openConnections", admission.openConnections())
        .put("maxConnections", admission.maxConnections())
        .put("kernelWarnings", kernel.warnings().size());
  }

  /** Everything about protection the status endpoint should show: limits in force and the kernel's defences. */
  public JsonObject status() {
    return new JsonObject()
        .put("maxConnections", admission.maxConnections())
        .put("maxConnectionsSource", maxConnectionsSource)
        .put("openConnections", admission.openConnections())
        .put("maxConnectionsPerAddress", config.maxConnectionsPerAddress())
        .put("newConnectionsPerSecond", config.newConnectionsPerSecond())
        .put("newConnectionsBurst", config.newConnectionsBurst())
        .put("allowList", config.allowList().toString())
        .put("firstRequestTimeoutMs", config.firstRequestTimeoutMs())
        .put("idleTimeoutMs", config.idleTimeoutMs())
        .put("slowReaderTimeoutMs", config.slowReaderTimeoutMs())
        .put("acceptBacklog", acceptBacklog)
        .put("acceptBacklogSource", acceptBacklogSource)
        .put("deferAcceptSeconds", deferAcceptApplied ? deferAcceptSeconds : 0)
        .put("kernel", kernel.toJson());
  }
}
