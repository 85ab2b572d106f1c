package dev.hellonet.api;

import dev.hellonet.config.HellonetConfig.ApiConfig;
import dev.hellonet.config.HellonetConfig.HttpConfig;
import dev.hellonet.testing.NeededTool;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protected mode: a node with no api.token on a non-loopback http.host takes POST and DELETE from loopback clients
 * only. The end-to-end case runs a node on the shipped defaults (HTTP on 0.0.0.0:8080, no token) inside a network
 * namespace of its own, joined to this one by a veth pair, so that a client here has a real non-loopback source
 * address while the node's port is reachable from nowhere else.
 */
class ProtectedModeTest {
  private static final String BODY = "{\"urls\": [\"http://192.0.2.1/\"]}";

  @TempDir
  Path dir;
  private final List<String[]> cleanup = new ArrayList<>();
  private Process node;

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(20, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      run(cleanup.get(i));
    }
  }

  @Test
  void theRuleKeysOnTheClientsAddressAndOnlyWithoutATokenOnAnOpenHost() {
    ApiConfig noToken = new ApiConfig(1024, "");
    assertNull(ProtectedMode.forConfig(new HttpConfig("127.0.0.1", 8080), noToken), "a loopback host needs no check");
    assertNull(ProtectedMode.forConfig(new HttpConfig("localhost", 8080), noToken));
    assertNull(ProtectedMode.forConfig(new HttpConfig("0.0.0.0", 8080), new ApiConfig(1024, "a-token-0123456789")),
        "a token is the check");
    ProtectedMode open = ProtectedMode.forConfig(new HttpConfig("0.0.0.0", 8080), noToken);
    assertNotNull(open);
    for (String loopback : List.of("127.0.0.1", "127.9.9.9", "0:0:0:0:0:0:0:1", "::1")) {
      assertNull(open.refusal(HttpMethod.POST, loopback), loopback);
      assertNull(open.refusal(HttpMethod.DELETE, loopback), loopback);
    }
    for (String remote : List.of("192.0.2.9", "10.0.0.1", "fe80:0:0:0:0:0:0:1%eth0", "2001:db8:0:0:0:0:0:1")) {
      String why = open.refusal(HttpMethod.POST, remote);
      assertNotNull(why, remote);
      assertTrue(why.contains("api.token") && why.contains("http.host") && why.contains(remote), why);
      assertNotNull(open.refusal(HttpMethod.DELETE, remote), remote);
      assertNull(open.refusal(HttpMethod.GET, remote), "reads stay open");
    }
    assertNotNull(open.refusal(HttpMethod.POST, null), "an unknown client is not taken for loopback");
  }

  @Test
  void aFreshNodeOnTheDefaultsTakesCrawlsFromItsOwnMachineOnlyAndSaysWhy() throws Exception {
    String ns = netns();
    byte[] r = new byte[2];
    new SecureRandom().nextBytes(r);
    String subnet = "10.213." + (r[0] & 0xff) + ".";
    String hostSide = subnet + ((r[1] & 0x3f) * 4 + 1);
    String nodeSide = subnet + ((r[1] & 0x3f) * 4 + 2);
    String link = "hn" + HexFormat.of().formatHex(r);
    requireOk("ip", "link", "add", link + "a", "type", "veth", "peer", "name", link + "b");
    cleanup.add(new String[] {"ip", "link", "del", link + "a"});
    requireOk("ip", "link", "set", link + "b", "netns", ns);
    requireOk("ip", "addr", "add", hostSide + "/30", "dev", link + "a");
    requireOk("ip", "link", "set", link + "a", "up");
    requireOk("ip", "netns", "exec", ns, "ip", "addr", "add", nodeSide + "/30", "dev", link + "b");
    requireOk("ip", "netns", "exec", ns, "ip", "link", "set", link + "b", "up");
    requireOk("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");

    // The shipped defaults but for where files go: HTTP on 0.0.0.0:8080, no api.token.
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.hellonet.Main")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HELLONET_"));
    pb.environment().put("HELLONET_SEQUENCE_FILE", dir.resolve("sequence").toString());
    pb.environment().put("HELLONET_CRAWLER_DOWNLOADDIR", dir.resolve("downloads").toString());
    pb.environment().put("HELLONET_HELLO_INSTANCES", "1");
    node = pb.start();
    awaitReady(ns);

    // From its own machine (loopback inside the namespace): taken.
    String[] local = {"ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
        "-H", "Content-Type: application/json", "-d", BODY, "http://127.0.0.1:8080/api/crawls"};
    assertEquals("202", output(local).trim(), "a POST from loopback is taken");

    // From another machine: refused, and the answer says what to change.
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://" + nodeSide + ":8080";
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/api/crawls"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, post.statusCode(), post.body());
    JsonObject error = new JsonObject(post.body());
    assertEquals("forbidden", error.getString("error"));
    String message = error.getString("message");
    assertTrue(message.contains("api.token") && message.contains("http.host") && message.contains(hostSide), message);
    HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create(base + "/api/crawls/j-abc-0123abcd"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, delete.statusCode(), delete.body());
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base + "/api/crawls")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, list.statusCode(), "reads stay open: " + list.body());
    assertEquals(1, new JsonObject(list.body()).getJsonArray("jobs").size(), "the loopback client's job, only");
  }

  /** A fresh network namespace, removed after the test; skips (fails in CI) without root and iproute2 or curl. */
  private String netns() throws Exception {
    String name = "hellonet-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    int added;
    try {
      added = run(new String[] {"ip", "netns", "add", name});
    } catch (IOException e) {
      added = -1;
    }
    NeededTool.require(added == 0, () -> "a network namespace (root and iproute2's ip netns) to give a client a"
        + " non-loopback address on this machine");
    cleanup.add(new String[] {"ip", "netns", "del", name});
    int curl;
    try {
      curl = run(new String[] {"curl", "--version"});
    } catch (IOException e) {
      curl = -1;
    }
    NeededTool.require(curl == 0, () -> "curl, the client inside the namespace (apt-get install curl)");
    return name;
  }

  private void awaitReady(String ns) throws Exception {
    String[] probe = {"ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
        "http://127.0.0.1:8080/health/ready"};
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        throw new AssertionError("the node exited: " + Files.readString(dir.resolve("node.log")));
      }
      if (output(probe).trim().equals("200")) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the node did not turn ready: " + Files.readString(dir.resolve("node.log")));
  }

  private static void requireOk(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
  }

  private static String output(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static int run(String[] command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
