package dev.hellonet.hello;

import dev.hellonet.testing.TestConfig;

/** The whole protocol suite on the NIO transport, the fallback where no native transport loads. */
class HelloServerNioTest extends HelloServerTest {
  @Override
  protected TestConfig configure(TestConfig config) {
    return config.set("transport", "nio");
  }
}
