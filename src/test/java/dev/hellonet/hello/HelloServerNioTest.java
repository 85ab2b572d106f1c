package dev.hellonet.hello;

/** The whole protocol suite on the NIO transport, the fallback where no native transport loads. */
class HelloServerNioTest extends HelloServerTest {
  @Override
  protected String expectedTransport() {
    return "nio";
  }
}
