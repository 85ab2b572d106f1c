package dev.hellonet.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The outcome of one load run: throughput, latency percentiles, errors and the duplicate check, as text or JSON. */
public record LoadResult(LoadOptions options, double measuredSeconds, long replies, Histogram latency, long malformed,
                         long connectErrors, long closedErrors, long ioErrors, List<String> errorSamples,
                         DuplicateCheck.Result numbers, double cpuPercent, Exactness exactness) {

  /**
   * Replies against requests, counted per connection over the whole run (warm-up and the end-of-run drain included):
   * {@code extra} replies arrived with no request outstanding, {@code unanswered} requests had no reply when their
   * connection was closed.
   */
  public record Exactness(long requests, long replies, long extra, long unanswered) {
    public boolean exact() {
      return extra == 0 && unanswered == 0;
    }
  }

  static LoadResult of(LoadOptions options, List<LoopStats> loops, long cpuNanos) {
    Histogram latency = new Histogram(LoopStats.MAX_LATENCY_NANOS, 3);
    long replies = 0;
    long malformed = 0;
    long connect = 0;
    long closed = 0;
    long io = 0;
    long requests = 0;
    long read = 0;
    long extra = 0;
    long unanswered = 0;
    double seconds = 0;
    List<String> samples = new ArrayList<>();
    List<NumberLog> logs = new ArrayList<>();
    for (LoopStats s : loops) {
      latency.add(s.latency);
      replies += s.replies;
      malformed += s.malformed;
      connect += s.connectErrors;
      closed += s.closedErrors;
      io += s.ioErrors;
      requests += s.requests;
      read += s.repliesRead;
      extra += s.unrequested;
      unanswered += s.unanswered;
      seconds = Math.max(seconds, (s.measureEndNanos - s.measureStartNanos) / 1e9);
      samples.addAll(s.errorSamples);
      logs.add(s.numbers);
    }
    double cpu = cpuNanos >= 0 && seconds > 0 ? 100.0 * cpuNanos / 1e9 / seconds : -1;
    return new LoadResult(options, seconds, replies, latency, malformed, connect, closed, io, List.copyOf(samples),
        DuplicateCheck.of(logs), cpu, new Exactness(requests, read, extra, unanswered));
  }

  public double repliesPerSecond() {
    return measuredSeconds > 0 ? replies / measuredSeconds : 0;
  }

  public long errors() {
    return malformed + connectErrors + closedErrors + ioErrors + exactness.extra() + exactness.unanswered();
  }

  /**
   * Every check passed: replies were measured, none was malformed or lost, every connection got one reply per request,
   * no number repeated.
   */
  public boolean ok() {
    return replies > 0 && errors() == 0 && exactness.exact() && numbers.duplicates() == 0;
  }

  private double micros(double percentile) {
    return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("mode", options.mode().name().toLowerCase(Locale.ROOT))
        .put("host", options.host())
        .put("port", options.port())
        .put("ports", new JsonArray(options.ports()))
        .put("protocol", options.protocol().name().toLowerCase(Locale.ROOT))
        .put("connections", options.connections())
        .put("depth", options.depth())
        .put("eventLoops", options.eventLoops())
        .put("close", options.resetOnClose() ? "reset" : "fin")
        .put("warmupSeconds", options.warmupSeconds())
        .put("durationSeconds", options.durationSeconds())
        .put("measuredSeconds", measuredSeconds)
        .put("replies", replies)
        .put("repliesPerSecond", Math.round(repliesPerSecond()))
        .put("latencyMicros", new JsonObject()
            .put("p50", micros(50))
            .put("p90", micros(90))
            .put("p99", micros(99))
            .put("p999", micros(99.9))
            .put("max", latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0)
            .put("mean", latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0))
        .put("errors", new JsonObject()
            .put("total", errors())
            .put("malformed", malformed)
            .put("connect", connectErrors)
            .put("closedEarly", closedErrors)
            .put("io", ioErrors)
            .put("extraReplies", exactness.extra())
            .put("unanswered", exactness.unanswered())
            .put("samples", new JsonArray(new ArrayList<Object>(errorSamples))))
        .put("exactness", new JsonObject()
            .put("requests", exactness.requests())
            .put("replies", exactness.replies())
            .put("extra", exactness.extra())
            .put("unanswered", exactness.unanswered())
            .put("exact", exactness.exact()))
        .put("numbers", new JsonObject()
            .put("checked", numbers.checked())
            .put("duplicates", numbers.duplicates())
            .put("firstDuplicate", numbers.firstDuplicate()))
        .put("loadgenCpuPercent", Math.round(cpuPercent * 10) / 10.0)
        .put("ok", ok());
    return json;
  }

  /** A few lines for people. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "replies/s   %,.0f  (%,d replies in %.2f s measured)%n", repliesPerSecond(),
        replies, measuredSeconds));
    s.append(String.format(Locale.ROOT, "latency     p50 %s  p99 %s  p99.9 %s  max %s%n", time(micros(50)),
        time(micros(99)), time(micros(99.9)), time(latency.getMaxValue() / 1000.0)));
    s.append(String.format(Locale.ROOT, "errors      %d  (malformed %d, connect %d, closed early %d, io %d, extra"
            + " replies %d, unanswered %d)%n", errors(), malformed, connectErrors, closedErrors, ioErrors,
        exactness.extra(), exactness.unanswered()));
    s.append(String.format(Locale.ROOT, "exactness   %s: %,d requests, %,d replies read (whole run)%n",
        exactness.exact() ? "one reply per request on every connection" : "NOT one reply per request",
        exactness.requests(), exactness.replies()));
    for (String sample : errorSamples) {
      s.append("            e.g. ").append(sample).append('\n');
    }
    s.append(String.format(Locale.ROOT, "numbers     %,d checked (warm-up included), %d duplicate(s)%s%n",
        numbers.checked(), numbers.duplicates(),
        numbers.duplicates() > 0 ? ", first " + numbers.firstDuplicate() : ""));
    if (cpuPercent >= 0) {
      s.append(String.format(Locale.ROOT, "loadgen cpu %.0f%% of one core while measuring%n", cpuPercent));
    }
    s.append(ok() ? "result      OK" : "result      FAILED").append('\n');
    return s.toString();
  }

  private static String time(double micros) {
    return micros >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1000)
        : String.format(Locale.ROOT, "%.0f us", micros);
  }
}
