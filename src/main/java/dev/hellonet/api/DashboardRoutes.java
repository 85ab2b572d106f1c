package dev.hellonet.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Serves the dashboard, static files in the jar under {@code webroot/}: {@code GET /} is the page and
 * {@code /dashboard/*} its script, chart and style sheet. The page talks to the REST API like any other client.
 *
 * <p>Only these paths are claimed (not {@code /*}), so an unknown path or a wrong method elsewhere still gets the
 * API's own 404 or 405.
 */
public final class DashboardRoutes {
  static final String WEB_ROOT = "webroot";
  static final String ASSETS = "/dashboard/*";

  // The page loads nothing from elsewhere and runs no inline code, so it can forbid both: an item a crawl brings
  // back cannot run script in the dashboard even if a rendering bug let markup through.
  private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private DashboardRoutes() {
  }

  /** Adds the dashboard's routes (GET and HEAD of {@code /} and {@code /dashboard/*}) to {@code router}. */
  public static void mount(Router router) {
    StaticHandler files = StaticHandler.create(WEB_ROOT)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setCachingEnabled(true)
        .setMaxAgeSeconds(60);
    for (String path : new String[] {"/", ASSETS}) {
      router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD)
          .handler(DashboardRoutes::securityHeaders)
          .handler(files);
    }
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
