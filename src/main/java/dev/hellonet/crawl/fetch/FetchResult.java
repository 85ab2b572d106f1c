package dev.hellonet.crawl.fetch;

import io.vertx.core.buffer.Buffer;

/** A complete HTTP response: status, the headers the crawler uses, and the body (null when it went to a file). */
public record FetchResult(int status, String location, String contentType, Buffer body, long bytes) {}
