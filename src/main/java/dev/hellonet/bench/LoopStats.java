package dev.hellonet.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything one event loop measures: its phase, reply count, latencies, errors and received numbers. Touched only
 * from that event loop's thread while the run lasts, so nothing in here is synchronized; read after the loop ended.
 */
final class LoopStats {
  /** Where the run is: replies count only while measuring; when done, nothing new is started. */
  enum Phase { WARMUP, MEASURE, DONE }

  static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int ERROR_SAMPLES = 5;

  final EventLoop loop;
  final NumberLog numbers = new NumberLog();
  final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
  final ChannelGroup channels;
  final List<String> errorSamples = new ArrayList<>();

  Phase phase = Phase.WARMUP;
  long measureStartNanos;
  long measureEndNanos;
  long replies;
  long malformed;
  long connectErrors;
  long closedErrors;
  long ioErrors;
  /** Requests written, warm-up and drain included: the replies every connection must get, no more, no fewer. */
  long requests;
  /** Every well-formed reply read, warm-up and drain included. */
  long repliesRead;
  /** Replies that arrived on a connection with no request outstanding: a server that answered a request twice. */
  long unrequested;
  /** Requests still unanswered when their connection was closed after the end-of-run drain. */
  long unanswered;
  /** The pipelined connections open on this loop, which the end of the run drains before closing. */
  final java.util.Set<PipelinedConnection> pipes = new java.util.LinkedHashSet<>();

  LoopStats(EventLoop loop) {
    this.loop = loop;
    this.channels = new DefaultChannelGroup(loop);
  }

  boolean measuring() {
    return phase == Phase.MEASURE;
  }

  boolean done() {
    return phase == Phase.DONE;
  }

  /** Counts one reply answered {@code nanos} after its request was sent, if the measured window is open. */
  void reply(long number, long nanos) {
    numbers.append(number);
    repliesRead++;
    if (phase == Phase.MEASURE) {
      replies++;
      latency.recordValue(Math.min(Math.max(nanos, 0), MAX_LATENCY_NANOS));
    }
  }

  void malformed() {
    malformed++;
    sample("malformed reply line");
  }

  void connectError(Throwable cause) {
    connectErrors++;
    sample("connect failed: " + cause);
  }

  void closedEarly(String what) {
    closedErrors++;
    sample(what);
  }

  void ioError(Throwable cause) {
    ioErrors++;
    sample("connection error: " + cause);
  }

  /** A reply (or malformed line) that no request on its connection was waiting for. */
  void unrequested() {
    unrequested++;
    sample("a reply with no request outstanding on its connection");
  }

  long errors() {
    return malformed + connectErrors + closedErrors + ioErrors + unrequested + unanswered;
  }

  private void sample(String what) {
    if (errorSamples.size() < ERROR_SAMPLES) {
      errorSamples.add(what);
    }
  }
}
