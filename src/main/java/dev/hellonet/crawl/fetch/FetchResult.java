package dev.hellonet.crawl.fetch;

import io.vertx.core.buffer.Buffer;

/**
 * A complete HTTP response: status, the headers the crawler uses ({@code retryAfter} as sent, or null), and the body
 * (null when it went to a file).
 */
public record FetchResult(int status, String location, String contentType, String retryAfter, Buffer body,
                          long bytes) {}
