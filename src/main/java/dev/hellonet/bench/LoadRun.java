package dev.hellonet.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.sun.management.OperatingSystemMXBean;

/**
 * Runs one load: opens the connections on the event loops, switches from warm-up to measuring and then to done at
 * fixed times on every loop, closes everything, and gathers what the loops measured.
 */
public final class LoadRun {
  private static final long RECONNECT_MILLIS = 100;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final long SHUTDOWN_WAIT_SECONDS = 10;
  /** How long the end of a run waits for the replies still in flight, so that each connection can be checked whole. */
  private static final long DRAIN_MILLIS = 3_000;

  private final LoadOptions options;
  private final Consumer<String> progress;

  public LoadRun(LoadOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Offers the load for warm-up plus duration, then returns the checked result. */
  public LoadResult run() throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    if (!epoll) {
      progress.accept("native epoll unavailable (" + Epoll.unavailabilityCause() + "); using NIO, expect more CPU");
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.eventLoops(),
        new DefaultThreadFactory("loadgen", true), io);
    Bootstrap bootstrap = new Bootstrap()
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
    if (options.resetOnClose()) {
      // Linger 0: close sends RST, so this side keeps no TIME_WAIT socket. Without it a client that closes first
      // piles up tens of thousands of them at conn-mode rates and the kernel's port search for each connect slows.
      bootstrap.option(ChannelOption.SO_LINGER, 0);
    }
    List<InetSocketAddress> remotes = new ArrayList<>();
    for (int port : options.ports()) {
      InetSocketAddress remote = new InetSocketAddress(options.host(), port);
      if (remote.isUnresolved()) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new IllegalArgumentException("--host " + options.host() + " does not resolve");
      }
      remotes.add(remote);
    }

    List<LoopStats> loops = new ArrayList<>();
    for (int i = 0; i < options.eventLoops(); i++) {
      loops.add(new LoopStats((EventLoop) group.next()));
    }
    long warmupNanos = (long) (options.warmupSeconds() * 1e9);
    long durationNanos = (long) (options.durationSeconds() * 1e9);
    long[] cpuAt = new long[2];
    CountDownLatch finished = new CountDownLatch(loops.size());
    long start = System.nanoTime();

    for (int i = 0; i < options.connections(); i++) {
      LoopStats stats = loops.get(i % loops.size());
      Bootstrap onLoop = bootstrap.clone(stats.loop);
      InetSocketAddress remote = remotes.get(i % remotes.size());
      stats.loop.execute(() -> open(stats, onLoop, remote));
    }
    progress.accept(String.format("%s mode, %d %s%s to %s:%s (%s), %d event loop(s): warm-up %.1f s, then %.1f s"
            + " measured", options.mode().name().toLowerCase(), options.connections(),
        options.mode() == LoadOptions.Mode.PIPE ? "connections" : "slots",
        options.mode() == LoadOptions.Mode.PIPE ? " x depth " + options.depth() : "", options.host(),
        String.join(",", options.ports().stream().map(String::valueOf).toList()), options.protocol().name().toLowerCase(), options.eventLoops(), options.warmupSeconds(),
        options.durationSeconds()));
    for (int i = 0; i < loops.size(); i++) {
      LoopStats stats = loops.get(i);
      boolean first = i == 0;
      stats.loop.schedule(() -> {
        stats.phase = LoopStats.Phase.MEASURE;
        stats.measureStartNanos = System.nanoTime();
        if (first) {
          cpuAt[0] = processCpuNanos();
        }
      }, start + warmupNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
      stats.loop.schedule(() -> {
        stats.phase = LoopStats.Phase.DONE;
        stats.measureEndNanos = System.nanoTime();
        if (first) {
          cpuAt[1] = processCpuNanos();
        }
        drainThenClose(stats, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS), finished);
      }, start + warmupNanos + durationNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    boolean closed = finished.await(warmupNanos + durationNanos + TimeUnit.SECONDS.toNanos(SHUTDOWN_WAIT_SECONDS),
        TimeUnit.NANOSECONDS);
    // Termination of the loops is what makes their plain fields safe to read from this thread.
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
    if (!closed || !group.isTerminated()) {
      throw new IllegalStateException("the load generator's event loops did not stop within "
          + SHUTDOWN_WAIT_SECONDS + " s of the end");
    }
    return LoadResult.of(options, loops, cpuAt[1] - cpuAt[0]);
  }

  /**
   * After the measured window nothing new is sent; the replies still in flight are read (uncounted in the figures) so
   * that every pipelined connection ends with as many replies as requests, or says how many it was short.
   */
  private static void drainThenClose(LoopStats stats, long deadline, CountDownLatch finished) {
    boolean drained = stats.pipes.stream().allMatch(p -> p.inFlight() == 0);
    if (!drained && System.nanoTime() < deadline) {
      stats.loop.schedule(() -> drainThenClose(stats, deadline, finished), 5, TimeUnit.MILLISECONDS);
      return;
    }
    for (PipelinedConnection p : stats.pipes) {
      stats.unanswered += p.inFlight();
    }
    if (stats.unanswered > 0) {
      stats.errorSamples.add(stats.unanswered + " request(s) unanswered " + DRAIN_MILLIS + " ms after the end of the run");
    }
    stats.channels.close().addListener(f -> finished.countDown());
  }

  private void open(LoopStats stats, Bootstrap onLoop, InetSocketAddress remote) {
    if (options.mode() == LoadOptions.Mode.CONN) {
      new ConnectionSlot(stats, onLoop, remote, options.protocol(), options.request()).next();
    } else {
      openPipelined(stats, onLoop, remote);
    }
  }

  private void openPipelined(LoopStats stats, Bootstrap onLoop, InetSocketAddress remote) {
    if (stats.done()) {
      return;
    }
    Runnable again = () -> stats.loop.schedule(() -> openPipelined(stats, onLoop, remote), RECONNECT_MILLIS,
        TimeUnit.MILLISECONDS);
    onLoop.clone()
        .handler(new PipelinedConnection(stats, options.protocol(), options.request(), options.depth(), again))
        .connect(remote)
        .addListener(f -> {
          if (!f.isSuccess() && !stats.done()) {
            stats.connectError(f.cause());
            again.run();
          }
        });
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
