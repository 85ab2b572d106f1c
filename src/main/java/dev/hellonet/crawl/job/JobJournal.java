package dev.hellonet.crawl.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * What one running job writes to its store: the pages, items and downloads changed since the last flush, written
 * with the job's row every {@code crawler.storeFlushMs} as one snapshot taken on the event loop, so the store always
 * holds the job as it was at one moment (a page done together with its items and the links it added, or not at all).
 * Flushes run one after another. Without a store (memory) every call is a no-op. Event-loop confined.
 */
final class JobJournal {
  private static final Logger LOG = Logger.getLogger(JobJournal.class.getName());

  /** Where an item came from, for its row's unique key, and the detail page it still waits for. */
  static final class ItemMeta {
    final int seq;
    final String pageUrl;
    final int pageIndex;
    String waitingFor;

    ItemMeta(int seq, String pageUrl, int pageIndex) {
      this.seq = seq;
      this.pageUrl = pageUrl;
      this.pageIndex = pageIndex;
    }
  }

  private final Vertx vertx;
  private final PgCrawlStore store;
  private final CrawlJob job;
  private final Set<PageRecord> pages = new LinkedHashSet<>();
  private final Set<DownloadRecord> downloads = new LinkedHashSet<>();
  private final Set<JsonObject> items = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<JsonObject, ItemMeta> meta = new IdentityHashMap<>();
  private long epoch;
  private Future<Void> last = Future.succeededFuture();
  private int writing;
  private long timer = -1;
  private boolean closed;
  private Runnable onFenced = () -> { };

  private JobJournal(Vertx vertx, PgCrawlStore store, CrawlJob job, long epoch) {
    this.vertx = vertx;
    this.store = store;
    this.job = job;
    this.epoch = epoch;
  }

  /** A job kept in memory only. */
  static JobJournal none(CrawlJob job) {
    return new JobJournal(null, null, job, 0);
  }

  /** A job written to {@code store} under lease epoch {@code epoch}. */
  static JobJournal to(Vertx vertx, PgCrawlStore store, CrawlJob job, long epoch) {
    return new JobJournal(vertx, store, job, epoch);
  }

  boolean durable() {
    return store != null;
  }

  long epoch() {
    return epoch;
  }

  /** The lease was taken again by this same owner (after a late renewal): later writes carry the new epoch. */
  void epoch(long epoch) {
    this.epoch = epoch;
  }

  /** What to do when a write finds that another owner has the job now. */
  void onFenced(Runnable action) {
    this.onFenced = action;
  }

  void page(PageRecord page) {
    if (store != null && !closed) {
      pages.add(page);
    }
  }

  void download(DownloadRecord download) {
    if (store != null && !closed) {
      downloads.add(download);
    }
  }

  /** An item just appended to the job's items; {@code pageIndex}: its place among those of {@code pageUrl}. */
  void itemAdded(JsonObject item, String pageUrl, int pageIndex) {
    if (store != null && !closed) {
      meta.put(item, new ItemMeta(job.items.size() - 1, pageUrl, pageIndex));
      items.add(item);
    }
  }

  /** An item restored from the store. */
  void itemLoaded(JsonObject item, ItemMeta m) {
    meta.put(item, m);
  }

  /** The item waits for the detail fields of {@code url}. */
  void itemWaiting(JsonObject item, String url) {
    ItemMeta m = meta.get(item);
    if (m != null && !closed) {
      m.waitingFor = url;
      items.add(item);
    }
  }

  /** The item got its detail fields. */
  void itemChanged(JsonObject item) {
    ItemMeta m = meta.get(item);
    if (m != null && !closed) {
      m.waitingFor = null;
      items.add(item);
    }
  }

  /** Starts flushing every {@code crawler.storeFlushMs} while there are changes. */
  void start() {
    if (store == null) {
      return;
    }
    timer = vertx.setPeriodic(store.config().flushMs(), t -> {
      if (writing == 0 && !closed && (!pages.isEmpty() || !items.isEmpty() || !downloads.isEmpty())) {
        flush();
      }
    });
  }

  /** Stops writing: nothing after this reaches the store. */
  void close() {
    closed = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Writes everything changed until now; completes once it is committed (after any flush before it). */
  Future<Void> flush() {
    if (store == null) {
      return Future.succeededFuture();
    }
    writing++;
    last = last.transform(ignored -> write()).andThen(ar -> writing--);
    return last;
  }

  private Future<Void> write() {
    if (closed) {
      return Future.succeededFuture();
    }
    List<PageRecord> p = List.copyOf(pages);
    List<DownloadRecord> d = List.copyOf(downloads);
    List<JsonObject> i = new ArrayList<>(items);
    pages.clear();
    downloads.clear();
    items.clear();
    List<Tuple> pageRows = new ArrayList<>(p.size());
    p.forEach(page -> pageRows.add(page.toRow(job.id)));
    List<Tuple> downloadRows = new ArrayList<>(d.size());
    d.forEach(download -> downloadRows.add(download.toRow(job.id)));
    List<Tuple> itemRows = new ArrayList<>(i.size());
    for (JsonObject item : i) {
      ItemMeta m = meta.get(item);
      itemRows.add(Tuple.tuple().addValue(job.id).addValue(m.seq).addValue(m.pageUrl).addValue(m.pageIndex)
          .addValue(item.copy()).addValue(m.waitingFor));
    }
    Instant finished = job.finishedAt;
    PgCrawlStore.Snapshot snapshot = new PgCrawlStore.Snapshot(job.id, epoch,
        job.status.name().toLowerCase(Locale.ROOT), job.summary(), job.pages.size(), job.items.size(),
        job.downloads.size(), finished, pageRows, itemRows, downloadRows);
    return store.write(snapshot).recover(e -> {
      if (e instanceof PgCrawlStore.Fenced) {
        if (!closed) {
          LOG.warning(e.getMessage() + "; this node stops running it");
          close();
          onFenced.run();
        }
        return Future.failedFuture(e);
      }
      if (!closed) {
        // Written again with the next flush, as they are then.
        pages.addAll(p);
        downloads.addAll(d);
        items.addAll(i);
      }
      LOG.warning("cannot write crawl job " + job.id + " to " + store.describe() + ": " + e.getMessage()
          + "; trying again");
      return Future.failedFuture(e);
    });
  }
}
