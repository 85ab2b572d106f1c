package dev.hellonet.crawl.job;

import dev.hellonet.net.HttpUris;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** A page fetch or a download, followed across its retries and redirects. Event-loop confined. */
final class Task {
  final PageRecord page;
  final DownloadRecord download;
  String url;
  URI uri;
  int attempt;
  int redirects;
  final List<String> chain = new ArrayList<>();

  private Task(PageRecord page, DownloadRecord download, String url) {
    this.page = page;
    this.download = download;
    this.url = url;
    this.uri = URI.create(url);
    chain.add(url);
  }

  static Task page(PageRecord page) {
    return new Task(page, null, page.url);
  }

  static Task download(DownloadRecord download) {
    return new Task(null, download, download.url);
  }

  boolean isPage() {
    return page != null;
  }

  String host() {
    return uri.getHost();
  }

  /** Caps and robots.txt are per origin; two ports on one host are two origins. */
  String origin() {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  String pathAndQuery() {
    return HttpUris.pathAndQuery(uri);
  }

  /** Moves the task to the URL a redirect named; attempts start again there. */
  void redirectTo(String next) {
    redirects++;
    chain.add(next);
    url = next;
    uri = URI.create(next);
    attempt = 0;
  }

  String attemptsNote() {
    return attempt > 1 ? " (after " + attempt + " attempts)" : "";
  }
}
