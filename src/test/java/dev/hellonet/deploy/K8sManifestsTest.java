package dev.hellonet.deploy;

import dev.hellonet.app.Hellonet;
import dev.hellonet.config.ConfigLoader;
import dev.hellonet.config.HellonetConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Validates k8s/ without a cluster: renders it with {@code kubectl kustomize}, parses every object strictly into
 * fabric8's Kubernetes model, and checks that the pieces refer to each other and to the application correctly. The
 * ConfigMap's configuration and the pod's environment go through the real {@link ConfigLoader}, so a key or variable
 * the application does not read fails here, as it would fail the pod's start.
 */
class K8sManifestsTest {
  private static final Path K8S = Path.of("k8s");
  private static final String SECRET_STAND_IN = "k8s-test-secret-value-0123456789";
  private static Manifests app;
  private static Manifests postgres;

  @TempDir
  Path dir;

  @BeforeAll
  static void render() throws Exception {
    app = Manifests.render(K8S);
    postgres = Manifests.render(K8S.resolve("postgres"));
  }

  @Test
  void rendersTheProductionSetAndNoSecretValues() {
    Map<String, Long> kinds = app.objects().stream()
        .collect(Collectors.groupingBy(o -> o.getKind(), java.util.TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("ConfigMap", 1L, "Deployment", 1L, "HorizontalPodAutoscaler", 1L, "NetworkPolicy", 3L,
        "PodDisruptionBudget", 1L, "Service", 3L), kinds, app.names().toString());
    assertEquals(3, app.one(Deployment.class).getSpec().getReplicas());
    assertEquals(Map.of("StatefulSet", 1L, "Service", 1L, "NetworkPolicy", 1L), postgres.objects().stream()
        .collect(Collectors.groupingBy(o -> o.getKind(), Collectors.counting())), postgres.names().toString());
  }

  /** The pod's configuration as the node would load it: the ConfigMap's file and the container's environment. */
  private HellonetConfig loadPodConfig() throws Exception {
    return ConfigLoader.load(podEnvironment());
  }

  private Map<String, String> podEnvironment() throws Exception {
    Container c = app.container();
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : c.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getFieldRef() != null) {
        assertEquals("status.podIP", e.getValueFrom().getFieldRef().getFieldPath(), e.getName());
        env.put(e.getName(), "192.0.2.10");   // a documentation address standing in for the pod's IP
      } else {
        assertNotNull(e.getValueFrom().getSecretKeyRef(), e.getName() + ": literal values, the pod IP and Secret"
            + " references only");
        env.put(e.getName(), SECRET_STAND_IN);
      }
    }
    String configPath = env.get(ConfigLoader.CONFIG_FILE_VARIABLE);
    assertNotNull(configPath, "the pod must name its configuration file with " + ConfigLoader.CONFIG_FILE_VARIABLE);
    VolumeMount mount = c.getVolumeMounts().stream().filter(m -> configPath.startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow(() -> new AssertionError(configPath + " is on no volume mount"));
    ConfigMap configMap = configMapOf(mount.getName());
    String file = configPath.substring(mount.getMountPath().length() + 1);
    String content = configMap.getData().get(file);
    assertNotNull(content, "ConfigMap " + configMap.getMetadata().getName() + " has no key " + file);
    Path local = dir.resolve(file);
    Files.writeString(local, content);
    env.put(ConfigLoader.CONFIG_FILE_VARIABLE, local.toString());
    return env;
  }

  private ConfigMap configMapOf(String volumeName) {
    Volume volume = volume(volumeName);
    assertNotNull(volume.getConfigMap(), "volume " + volumeName + " is not a ConfigMap");
    return app.named(ConfigMap.class, volume.getConfigMap().getName());
  }

  private Volume volume(String name) {
    return app.podSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static Map<String, Integer> containerPorts() {
    return app.container().getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
  }

  @Test
  void everyConfigKeyAndVariableIsReadByTheApplicationAndPortsMatch() throws Exception {
    HellonetConfig config = loadPodConfig();   // throws on an unknown key, variable or bad value

    assertEquals(Map.of("hello", config.hello().port(), "http", config.http().port()),
        containerPorts().entrySet().stream().filter(e -> e.getKey().equals("hello") || e.getKey().equals("http"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    assertEquals(HellonetConfig.LogFormat.JSON, config.log().format(), "a cluster's log pipeline wants JSON lines");
    assertFalse(config.crawler().deny().isEmpty(), "a crawler reachable by users must deny internal ranges");
    // Private, loopback and link-local targets (the cloud metadata address among them) are refused.
    for (String address : List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "127.0.0.1", "::1",
        "fd00::1", "fe80::1", "100.64.0.1")) {
      assertNotNull(config.crawler().deny().rangeRuleFor(java.net.InetAddress.getByName(address)),
          "crawler.deny does not cover " + address);
    }
    assertTrue(config.api().authEnabled(), "the API token comes from the Secret");
    // The ports the image exposes are the ones the pod uses.
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(Files.readString(Path.of("Dockerfile")));
    assertTrue(expose.find(), "Dockerfile has no EXPOSE");
    assertEquals(new TreeSet<>(containerPorts().values()),
        Stream.of(expose.group(1).trim().split("\\s+")).map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void aConfigKeyTheApplicationDoesNotReadWouldFail() throws Exception {
    // The check above must be able to fail: the same loading, with one key added, is refused.
    Map<String, String> env = podEnvironment();
    Path file = Path.of(env.get(ConfigLoader.CONFIG_FILE_VARIABLE));
    JsonObject json = new JsonObject(Files.readString(file));
    json.getJsonObject("hello").put("notAKey", 1);
    Files.writeString(file, json.encode());
    Throwable e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> ConfigLoader.load(env));
    assertTrue(e.getMessage().contains("hello.notAKey"), e.getMessage());
  }

  @Test
  void probesAskPathsTheNodeServes() throws Exception {
    Container c = app.container();
    Map<String, Probe> probes = new java.util.TreeMap<>();
    probes.put("startup", c.getStartupProbe());
    probes.put("liveness", c.getLivenessProbe());
    probes.put("readiness", c.getReadinessProbe());
    // A real node with the pod's configuration, moved to loopback, free ports and a temp dir.
    JsonObject json = ConfigLoader.merge(podEnvironment());
    json.getJsonObject("hello").put("host", "127.0.0.1").put("port", 0).put("instances", 1);
    json.getJsonObject("http").put("host", "127.0.0.1").put("port", 0);
    json.getJsonObject("sequence").put("store", "file").put("file", dir.resolve("sequence").toString());
    json.getJsonObject("crawler").put("downloadDir", dir.resolve("downloads").toString());
    if (json.getJsonObject("cluster") != null) {
      json.getJsonObject("cluster").put("enabled", false);
    }
    Hellonet node = Hellonet.start(HellonetConfig.from(json, 2)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (Map.Entry<String, Probe> p : probes.entrySet()) {
        assertNotNull(p.getValue(), p.getKey() + " probe missing");
        HTTPGetAction get = p.getValue().getHttpGet();
        assertNotNull(get, p.getKey() + " probe must be an HTTP GET on a health endpoint");
        assertEquals(containerPorts().get("http"), portNumber(get.getPort()), p.getKey() + " probe port");
        assertTrue(get.getPath().startsWith("/health/"), p.getKey() + ": " + get.getPath());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpPort() + get.getPath())).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), p.getKey() + " probe " + get.getPath() + ": " + r.body());
      }
      assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
    } finally {
      node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** A probe's or Service's port: a number, or the name of a container port. */
  private static Integer portNumber(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    Integer n = containerPorts().get(port.getStrVal());
    assertNotNull(n, "no container port named " + port.getStrVal());
    return n;
  }

  @Test
  void servicesBudgetsPoliciesAndTheAutoscalerPointAtThePods() {
    Deployment d = app.one(Deployment.class);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
        "the Deployment's selector must match its pods");
    for (Service s : app.all(Service.class)) {
      String name = s.getMetadata().getName();
      assertFalse(s.getSpec().getSelector().isEmpty(), name + " selects nothing");
      assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), name + " selector");
      for (ServicePort p : s.getSpec().getPorts()) {
        assertEquals(p.getPort(), portNumber(p.getTargetPort()), name + " port " + p.getName());
      }
    }
    assertTrue(podLabels.entrySet().containsAll(app.one(PodDisruptionBudget.class).getSpec().getSelector()
        .getMatchLabels().entrySet()), "PodDisruptionBudget selector");
    HorizontalPodAutoscaler hpa = app.one(HorizontalPodAutoscaler.class);
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(d.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 2, "the HPA keeps at least two pods");
    assertNotNull(app.container().getResources().getRequests().get("cpu"), "CPU utilisation needs a CPU request");

    Set<Integer> clientPorts = new TreeSet<>();
    boolean clusterOnlyFromPods = false;
    for (NetworkPolicy np : app.all(NetworkPolicy.class)) {
      assertTrue(podLabels.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()),
          np.getMetadata().getName() + " selects the pods");
      for (var rule : np.getSpec().getIngress()) {
        if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
          for (NetworkPolicyPort p : rule.getPorts()) {
            clientPorts.add(portNumber(p.getPort()));
          }
        } else {
          clusterOnlyFromPods |= rule.getFrom().stream().allMatch(peer -> peer.getPodSelector() != null
              && peer.getNamespaceSelector() == null && peer.getIpBlock() == null
              && podLabels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet()));
        }
      }
    }
    assertEquals(Set.of(containerPorts().get("hello"), containerPorts().get("http")), clientPorts,
        "clients are admitted to the hello and HTTP ports only");
    assertTrue(clusterOnlyFromPods, "cluster traffic is admitted from hellonet pods only");
  }

  @Test
  void headlessServiceServesDiscovery() throws Exception {
    List<Service> headless = app.all(Service.class).stream()
        .filter(s -> "None".equals(s.getSpec().getClusterIP())).toList();
    assertEquals(1, headless.size(), "one headless Service for cluster discovery");
    Service h = headless.get(0);
    assertTrue(Boolean.TRUE.equals(h.getSpec().getPublishNotReadyAddresses()),
        "starting pods must find each other before they are ready");
    JsonObject merged = ConfigLoader.merge(podEnvironment());
    JsonObject cluster = merged.getJsonObject("cluster");
    if (cluster == null || !cluster.containsKey("kubernetesService")) {
      System.out.println("K8sManifestsTest: the application has no cluster.kubernetesService yet; the headless Service "
          + h.getMetadata().getName() + " is checked for its own settings only");
      return;
    }
    assertEquals(h.getMetadata().getName(), cluster.getString("kubernetesService"),
        "cluster.kubernetesService must name the headless Service");
  }

  @Test
  void podSecurityMatchesTheImageAndWritablePathsAreOnVolumes() throws Exception {
    PodSpec pod = app.podSpec();
    PodSecurityContext psc = pod.getSecurityContext();
    SecurityContext sc = app.container().getSecurityContext();
    assertTrue(psc.getRunAsNonRoot());
    assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());
    assertTrue(psc.getSysctls().stream().anyMatch(s -> s.getName().equals("net.ipv4.tcp_syncookies")
        && s.getValue().equals("1")), "SYN cookies on in the pod's network namespace");
    assertTrue(sc.getReadOnlyRootFilesystem());
    assertFalse(sc.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    Matcher uid = Pattern.compile("(?m)^ARG APP_UID=(\\d+)$").matcher(Files.readString(Path.of("Dockerfile")));
    assertTrue(uid.find(), "Dockerfile has no ARG APP_UID");
    assertEquals(Long.valueOf(uid.group(1)), psc.getRunAsUser(), "the pod runs as the image's user");
    assertEquals(Long.valueOf(uid.group(1)), psc.getFsGroup(), "volumes are writable for the image's user");

    // The root filesystem is read-only: whatever the node writes must be on a writable volume.
    HellonetConfig config = loadPodConfig();
    List<String> writable = app.container().getVolumeMounts().stream()
        .filter(m -> !Boolean.TRUE.equals(m.getReadOnly())).map(VolumeMount::getMountPath).toList();
    assertTrue(writable.contains("/tmp"), "the JVM and Netty need a writable /tmp");
    Path downloads = config.crawler().downloadDir();
    assertTrue(downloads.isAbsolute() && writable.stream().anyMatch(w -> downloads.startsWith(w)),
        "crawler.downloadDir " + downloads + " is not on a writable volume " + writable);
    if (config.sequence().store().equals("file")) {
      Path seq = config.sequence().file();
      assertTrue(seq.isAbsolute() && writable.stream().anyMatch(w -> seq.startsWith(w)),
          "sequence.file " + seq + " is not on a writable volume " + writable);
    }
  }

  @Test
  void severalPodsShareOneSequence() throws Exception {
    int pods = Math.max(app.one(Deployment.class).getSpec().getReplicas(),
        app.one(HorizontalPodAutoscaler.class).getSpec().getMaxReplicas());
    HellonetConfig config = loadPodConfig();
    if (pods <= 1 || !config.sequence().store().equals("file")) {
      return;
    }
    // Each pod's file store is its own sequence: numbers would repeat across pods.
    boolean spanningStoreExists = ConfigLoader.defaults().getJsonObject("sequence").containsKey("postgres");
    assertFalse(spanningStoreExists, "k8s/ runs up to " + pods + " pods on the file store, one sequence per pod;"
        + " the application now has sequence.store=postgres: set it (and sequence.postgres.*, the password from"
        + " hellonet-secrets/postgres-password) in k8s/config.json");
    System.out.println("K8sManifestsTest: WARNING the application has only the file store, so k8s/ runs " + pods
        + " pods with one sequence each (numbers unique per pod only) until sequence.store=postgres exists");
  }

  @Test
  void serviceLinksCannotInjectVariablesTheNodeWouldRefuse() {
    // Kubernetes adds <SERVICE>_PORT and the like for every Service; for the hellonet-* Services those would be
    // HELLONET_* variables, which the node refuses as unknown.
    boolean clash = app.all(Service.class).stream()
        .anyMatch(s -> s.getMetadata().getName().toUpperCase(Locale.ROOT).replace('-', '_').startsWith("HELLONET"));
    if (clash) {
      assertEquals(Boolean.FALSE, app.podSpec().getEnableServiceLinks(), "enableServiceLinks must be false");
    }
  }

  @Test
  void gracePeriodCoversPreStopDrainAndStop() throws Exception {
    HellonetConfig config = loadPodConfig();
    List<String> preStop = app.container().getLifecycle().getPreStop().getExec().getCommand();
    assertEquals("sleep", preStop.get(0), "preStop pauses");
    long pause = Long.parseLong(preStop.get(1));
    // Main allows itself 5 s beyond drain and timeout to close the store and Vert.x.
    long needed = pause + (config.shutdown().drainDelayMs() + config.shutdown().timeoutMs()) / 1000 + 5;
    long grace = app.podSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace >= needed, "terminationGracePeriodSeconds " + grace + " < " + needed + " needed");
    assertTrue(config.shutdown().drainDelayMs() > 0, "readiness turns false before the node stops accepting");
  }

  @Test
  void secretKeysAreTheOnesTheReadmeCreates() throws Exception {
    Set<String> referenced = new TreeSet<>();
    for (Container c : Stream.concat(Stream.of(app.container()), postgres.all(StatefulSet.class).stream()
        .flatMap(s -> s.getSpec().getTemplate().getSpec().getContainers().stream())).toList()) {
      for (EnvVar e : c.getEnv()) {
        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
          assertEquals("hellonet-secrets", e.getValueFrom().getSecretKeyRef().getName(), e.getName());
          referenced.add(e.getValueFrom().getSecretKeyRef().getKey());
        }
      }
    }
    assertTrue(referenced.contains("api-token"), "the API token comes from the Secret");
    String readme = Files.readString(Path.of("README.md"));
    Matcher create = Pattern.compile("kubectl create secret generic hellonet-secrets((?:\\\\\\n|[^\\n])*)")
        .matcher(readme);
    assertTrue(create.find(), "README shows how to create the Secret");
    Set<String> documented = new TreeSet<>();
    Matcher key = Pattern.compile("--from-(?:literal|file)=([a-z0-9-]+)=").matcher(create.group(1));
    while (key.find()) {
      documented.add(key.group(1));
    }
    assertEquals(referenced, documented, "README's Secret keys vs the keys the pods read");
    // The pod's Secret references are variables the node reads (loading with them would fail otherwise).
    loadPodConfig();
  }

  @Test
  void postgresIsReachableOnlyFromHellonetPods() {
    StatefulSet db = postgres.one(StatefulSet.class);
    Map<String, String> dbLabels = db.getSpec().getTemplate().getMetadata().getLabels();
    Service svc = postgres.one(Service.class);
    assertTrue(dbLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()));
    assertEquals(db.getSpec().getServiceName(), svc.getMetadata().getName());
    assertFalse(db.getSpec().getVolumeClaimTemplates().isEmpty(), "the database keeps its data on a claim");
    NetworkPolicy np = postgres.one(NetworkPolicy.class);
    Map<String, String> appLabels = app.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(np.getSpec().getIngress().stream().flatMap(r -> r.getFrom().stream())
        .allMatch(p -> p.getPodSelector() != null
            && appLabels.entrySet().containsAll(p.getPodSelector().getMatchLabels().entrySet())),
        "only hellonet pods reach the database");
    if (db.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot() == null) {
      fail("the database runs as non-root too");
    }
  }
}
