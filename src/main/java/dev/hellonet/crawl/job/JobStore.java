package dev.hellonet.crawl.job;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs this node knows, in creation order, bounded: once more than {@code historySize} are kept, the oldest
 * finished jobs are evicted first. Running jobs are never evicted; the verticle refuses new jobs when
 * {@code historySize} of them are running. Event-loop confined.
 */
public final class JobStore {
  private final int historySize;
  private final LinkedHashMap<String, CrawlJob> jobs = new LinkedHashMap<>();

  public JobStore(int historySize) {
    this.historySize = historySize;
  }

  public boolean full() {
    int running = 0;
    for (CrawlJob job : jobs.values()) {
      if (job.isRunning()) {
        running++;
      }
    }
    return running >= historySize;
  }

  /** Adds a job; returns the jobs evicted to make room. */
  public List<CrawlJob> add(CrawlJob job) {
    jobs.put(job.id, job);
    return evict();
  }

  /** Drops the oldest finished jobs while more than {@code historySize} are kept; returns them. */
  public List<CrawlJob> evict() {
    List<CrawlJob> evicted = new ArrayList<>();
    Iterator<Map.Entry<String, CrawlJob>> it = jobs.entrySet().iterator();
    while (jobs.size() > historySize && it.hasNext()) {
      CrawlJob job = it.next().getValue();
      if (!job.isRunning()) {
        it.remove();
        evicted.add(job);
      }
    }
    return evicted;
  }

  /** Drops the oldest finished job other than {@code keep} (a job id, or null), if any; returns it, or null. */
  public CrawlJob evictOldestFinished(String keep) {
    Iterator<Map.Entry<String, CrawlJob>> it = jobs.entrySet().iterator();
    while (it.hasNext()) {
      CrawlJob job = it.next().getValue();
      if (!job.isRunning() && !job.id.equals(keep)) {
        it.remove();
        return job;
      }
    }
    return null;
  }

  public CrawlJob get(String id) {
    return jobs.get(id);
  }

  public boolean contains(String id) {
    return jobs.containsKey(id);
  }

  /** Up to {@code limit} jobs, newest first, starting after {@code cursor} (a job id) when given. */
  public List<CrawlJob> newestFirst(String cursor, int limit) {
    List<CrawlJob> all = new ArrayList<>(jobs.values());
    List<CrawlJob> out = new ArrayList<>();
    boolean started = cursor == null;
    for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
      CrawlJob job = all.get(i);
      if (started) {
        out.add(job);
      } else if (job.id.equals(cursor)) {
        started = true;
      }
    }
    return out;
  }
}
