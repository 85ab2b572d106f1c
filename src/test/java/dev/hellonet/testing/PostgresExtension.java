package dev.hellonet.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throw-away PostgreSQL for a test class: started before its first test, stopped after its last. Register it as a
 * static field with {@code @RegisterExtension}; {@link #server()} is the running server.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private PostgresServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = PostgresServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server; only between the class's first and last test. */
  public PostgresServer server() {
    if (server == null) {
      throw new IllegalStateException("PostgreSQL is not running: register the extension as a static field");
    }
    return server;
  }
}
