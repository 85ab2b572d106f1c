package dev.hellonet.crawl.job;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * When each task of a job runs: a ready queue per origin drained under the job's global and per-origin caps (origins
 * take turns), and retries after exponential backoff with jitter. The launcher it is given must call
 * {@link #release} once the task's slot is free again. Work that is not a task, robots.txt fetches and DNS look-ups,
 * takes its slots here too ({@link #slot}), so that 10,000 seeds on distinct hosts open at most the job's
 * {@code concurrency} connections and look-ups at once. An origin that {@link HostPacing} says must wait keeps its
 * queue and its turn, and one timer wakes the scheduler when the soonest waiting origin may go. Event-loop confined.
 */
final class Scheduler {
  private static final long BACKOFF_BASE_MS = 100;
  private static final long BACKOFF_MAX_MS = 5_000;

  private final Vertx vertx;
  private final HostLimiter limiter;
  private final HostPacing pacing;
  private final int retries;
  private final BooleanSupplier running;
  private final Consumer<Task> launcher;
  private final Map<String, ArrayDeque<Runnable>> ready = new LinkedHashMap<>();
  private final Set<Long> timers = new HashSet<>();
  /** The timer that wakes the scheduler for a waiting origin, and when it fires; -1 when none is set. */
  private long wakeTimer = -1;
  private long wakeAt;

  Scheduler(Vertx vertx, HostLimiter limiter, HostPacing pacing, int retries, BooleanSupplier running,
            Consumer<Task> launcher) {
    this.vertx = vertx;
    this.limiter = limiter;
    this.pacing = pacing;
    this.retries = retries;
    this.running = running;
    this.launcher = launcher;
  }

  void enqueue(Task task) {
    ready.computeIfAbsent(task.origin(), o -> new ArrayDeque<>()).add(() -> launcher.accept(task));
    pump();
  }

  /**
   * A slot under the caps for work that is not a task: {@code key} is an origin (robots.txt) or a pseudo-origin
   * ({@code "(dns)"}, so look-ups also respect {@code perHostConcurrency}). Ahead of the tasks queued for that key;
   * the caller must {@link #release} it.
   */
  Future<Void> slot(String key) {
    Promise<Void> granted = Promise.promise();
    ready.computeIfAbsent(key, o -> new ArrayDeque<>()).addFirst(() -> granted.complete());
    pump();
    return granted.future();
  }

  /** Frees the slot a launched task held and starts whatever may run now. */
  void release(String origin) {
    limiter.release(origin);
    pump();
  }

  /**
   * Starts queued tasks while the caps allow, one per origin per pass; an origin just served moves to the back, so
   * that origins take turns for freed slots and a busy one does not crowd out the others.
   */
  void pump() {
    boolean launched = true;
    while (launched && limiter.hasRoom() && !ready.isEmpty() && running.getAsBoolean()) {
      launched = false;
      Iterator<Map.Entry<String, ArrayDeque<Runnable>>> origins = ready.entrySet().iterator();
      List<Runnable> toLaunch = new ArrayList<>();
      List<Map.Entry<String, ArrayDeque<Runnable>>> served = new ArrayList<>();
      while (origins.hasNext() && limiter.hasRoom()) {
        Map.Entry<String, ArrayDeque<Runnable>> e = origins.next();
        if (limiter.hasRoom(e.getKey()) && pacing.waitMs(e.getKey()) == 0) {
          limiter.acquire(e.getKey());
          pacing.started(e.getKey());
          toLaunch.add(e.getValue().poll());
          origins.remove();
          served.add(e);
        }
      }
      for (Map.Entry<String, ArrayDeque<Runnable>> e : served) {
        if (!e.getValue().isEmpty()) {
          ready.put(e.getKey(), e.getValue());
        }
      }
      for (Runnable start : toLaunch) {
        launched = true;
        start.run();
      }
    }
    wakeForWaiting();
  }

  /** Sets one timer for the soonest origin that has work and room but must wait, unless one fires sooner already. */
  private void wakeForWaiting() {
    if (!running.getAsBoolean()) {
      return;
    }
    long soonest = Long.MAX_VALUE;
    for (String origin : ready.keySet()) {
      long wait = pacing.waitMs(origin);
      if (wait > 0 && limiter.hasRoom(origin)) {
        soonest = Math.min(soonest, wait);
      }
    }
    if (soonest == Long.MAX_VALUE) {
      return;
    }
    long at = System.nanoTime() / 1_000_000 + soonest;
    if (wakeTimer != -1 && wakeAt <= at) {
      return;
    }
    if (wakeTimer != -1) {
      vertx.cancelTimer(wakeTimer);
    }
    wakeAt = at;
    wakeTimer = vertx.setTimer(soonest, t -> {
      wakeTimer = -1;
      pump();
    });
  }

  /** Queues the task again after backoff when attempts remain; false when they are used up. */
  boolean retry(Task task) {
    if (task.attempt > retries) {
      return false;
    }
    long base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(20, task.attempt - 1));
    long delay = Math.max(1, (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble())));
    long[] id = new long[1];
    id[0] = vertx.setTimer(delay, t -> {
      timers.remove(id[0]);
      if (running.getAsBoolean()) {
        enqueue(task);
      }
    });
    timers.add(id[0]);
    return true;
  }

  /** Drops every queued task and pending retry (the job is stopping). */
  void clear() {
    ready.clear();
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    if (wakeTimer != -1) {
      vertx.cancelTimer(wakeTimer);
      wakeTimer = -1;
    }
  }
}
