package dev.hellonet.crawl.fetch;

import dev.hellonet.net.HttpUris;
import dev.hellonet.vertx.VertxInternals;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Performs single HTTP GETs with the Vert.x WebClient: to an address already resolved and vetted, with one deadline
 * for the whole exchange, a body cap enforced while the body streams, and a handle to abort the request in flight.
 * Redirects are not followed here; the caller counts them and detects loops.
 *
 * <p>The WebClient's own futures cannot be aborted, and a body codec that refuses data only makes the client drain
 * the rest of the body. An interceptor therefore hands each request's underlying {@link HttpClientRequest} to its
 * {@link InFlight}, whose {@code reset()} really closes the stream. Everything here runs on the owning verticle's
 * event loop.
 */
public final class Fetcher {
  private final Vertx vertx;
  private final WebClient client;
  private final String userAgent;
  private final Map<HttpRequest<?>, InFlight> inFlight = new IdentityHashMap<>();

  /** One request in flight; {@link #abort} ends it at once with the given failure. */
  public final class InFlight {
    private final Promise<FetchResult> outcome = Promise.promise();
    private final BodySink sink;
    private HttpClientRequest clientRequest;
    private long timer = -1;

    private InFlight(BodySink sink) {
      this.sink = sink;
    }

    public Future<FetchResult> result() {
      return outcome.future();
    }

    /** Fails the fetch with {@code kind} and resets the connection's stream; a no-op once the fetch has ended. */
    public void abort(FetchException.Kind kind, String message) {
      if (outcome.tryFail(new FetchException(kind, message, sink.bytes()))) {
        finish();
        if (clientRequest != null) {
          clientRequest.reset();
        }
      }
    }

    private void finish() {
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  public Fetcher(Vertx vertx, String userAgent, int maxConnectionsPerHost) {
    this.vertx = vertx;
    this.userAgent = userAgent;
    WebClientOptions options = new WebClientOptions()
        .setFollowRedirects(false)
        .setUserAgentEnabled(false)
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost);
    this.client = WebClient.create(vertx, options, pool);
    VertxInternals.beforeSend(client, (request, clientRequest) -> {
      InFlight f = inFlight.get(request);
      if (f != null && f.outcome.future().isComplete()) {
        // Aborted while it waited for a connection: fail the exchange here instead of sending. Resetting it and
        // going on (as before) made the client log "Stream reset" and a NullPointerException for every such
        // request, thousands of lines per cancelled crawl.
        clientRequest.exceptionHandler(e -> { });
        return f.outcome.future().cause();
      }
      if (f != null) {
        f.clientRequest = clientRequest;
      }
      return null;
    });
  }

  /**
   * Starts a GET of {@code url} from {@code server}. The returned handle's result fails with a {@link FetchException}
   * on timeout, connection failure, an over-size body or an abort; any HTTP status is a result.
   */
  public InFlight get(URI url, SocketAddress server, long timeoutMs, BodySink sink) {
    InFlight f = new InFlight(sink);
    boolean https = url.getScheme().equals("https");
    HttpRequest<Void> request = client.request(HttpMethod.GET, server, HttpUris.port(url), url.getHost(),
            HttpUris.pathAndQuery(url))
        .ssl(https)
        .connectTimeout(timeoutMs)
        .putHeader(HttpHeaders.USER_AGENT.toString(), userAgent)
        .putHeader(HttpHeaders.ACCEPT.toString(), "text/html,application/xhtml+xml,*/*;q=0.8")
        .as(sink.codec());
    sink.onOverLimit(() -> {
      Budget full = sink.exhausted();
      if (full == null) {
        f.abort(FetchException.Kind.TOO_LARGE, "body larger than " + sink.cap() + " bytes; transfer cut off");
      } else {
        f.abort(full.retriable() ? FetchException.Kind.BUSY : FetchException.Kind.LIMITED,
            full.key() + " (" + full.max() + " bytes) reached; transfer cut off");
      }
    });
    f.timer = vertx.setTimer(timeoutMs, id -> {
      f.timer = -1;
      f.abort(FetchException.Kind.TIMEOUT, "no complete response within " + timeoutMs + " ms");
    });
    inFlight.put(request, f);
    request.send().onComplete(ar -> {
      inFlight.remove(request);
      f.finish();
      if (ar.succeeded()) {
        var response = ar.result();
        f.outcome.tryComplete(new FetchResult(response.statusCode(), response.getHeader("Location"),
            response.getHeader("Content-Type"), response.getHeader("Retry-After"), sink.memory(), sink.bytes()));
      } else {
        f.outcome.tryFail(classify(ar.cause(), sink.bytes()));
      }
    });
    return f;
  }

  private static FetchException classify(Throwable e, long bytes) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String what = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    if (root instanceof ConnectException || root instanceof UnknownHostException
        || root.getClass().getSimpleName().contains("ConnectTimeout")) {
      return new FetchException(FetchException.Kind.CONNECT, "cannot connect: " + what, bytes);
    }
    if (root instanceof TimeoutException || root.getClass().getSimpleName().contains("Timeout")) {
      return new FetchException(FetchException.Kind.TIMEOUT, "timed out: " + what, bytes);
    }
    return new FetchException(FetchException.Kind.IO, "connection failed: " + what, bytes);
  }

  public void close() {
    client.close();
  }
}
