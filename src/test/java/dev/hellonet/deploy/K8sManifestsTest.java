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
import io.fabric8.kubernetes.api.model.batch.v1.Job;
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
    assertEquals(Map.of("ConfigMap", 1L, "Deployment", 1L, "HorizontalPodAutoscaler", 1L, "Job", 1L,
        "NetworkPolicy", 3L, "PodDisruptionBudget", 1L, "Service", 3L), kinds, app.names().toString());
    assertEquals(3, app.one(Deployment.class).getSpec().getReplicas());
    assertEquals(Map.of("ConfigMap", 2L, "StatefulSet", 1L, "Service", 1L, "NetworkPolicy", 1L), postgres.objects().stream()
        .collect(Collectors.groupingBy(o -> o.getKind(), Collectors.counting())), postgres.names().toString());
  }

  /** The pod's configuration as the node would load it: the ConfigMap's file and the container's environment. */
  private HellonetConfig loadPodConfig() throws Exception {
    return ConfigLoader.load(podEnvironment());
  }

  private Map<String, String> podEnvironment() throws Exception {
    return podEnvironment(app.container(), app.podSpec());
  }

  private Map<String, String> podEnvironment(Container c, PodSpec pod) throws Exception {
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
    ConfigMap configMap = configMapOf(volume(pod, mount.getName()));
    String file = configPath.substring(mount.getMountPath().length() + 1);
    String content = configMap.getData().get(file);
    assertNotNull(content, "ConfigMap " + configMap.getMetadata().getName() + " has no key " + file);
    Path local = dir.resolve(file);
    Files.writeString(local, content);
    env.put(ConfigLoader.CONFIG_FILE_VARIABLE, local.toString());
    // The CA file the node checks the database with must come from a Secret mounted where the config says.
    String ca = new JsonObject(content).getJsonObject("sequence", new JsonObject())
        .getJsonObject("postgres", new JsonObject()).getString("sslRootCert", "");
    if (!ca.isEmpty()) {
      assertSecretFile(c, pod, ca);
      Path standIn = dir.resolve("ca.crt");
      Files.writeString(standIn, "stand-in for the mounted CA certificate\n");
      env.put("HELLONET_SEQUENCE_POSTGRES_SSLROOTCERT", standIn.toString());
    }
    return env;
  }

  /** {@code path} is a key of a Secret volume, mounted read-only in {@code c}. */
  private static void assertSecretFile(Container c, PodSpec pod, String path) {
    VolumeMount mount = c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/"))
        .findFirst().orElseThrow(() -> new AssertionError(path + " is on no volume mount of " + c.getName()));
    assertTrue(Boolean.TRUE.equals(mount.getReadOnly()), mount.getName() + " is mounted read-only");
    Volume v = volume(pod, mount.getName());
    assertNotNull(v.getSecret(), path + ": volume " + v.getName() + " is not a Secret");
    String key = path.substring(mount.getMountPath().length() + 1);
    assertTrue(v.getSecret().getItems() != null && v.getSecret().getItems().stream()
        .anyMatch(i -> i.getPath().equals(key)), "Secret volume " + v.getName() + " projects " + key);
  }

  private static ConfigMap configMapOf(Volume volume) {
    assertNotNull(volume.getConfigMap(), "volume " + volume.getName() + " is not a ConfigMap");
    return app.named(ConfigMap.class, volume.getConfigMap().getName());
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
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
    json.getJsonObject("sequence").put("store", "file").put("file", dir.resolve("sequence").toString())
        .put("createIfMissing", true);
    // Jobs in memory too: there is no database here (the pod's crawler.store=postgres is tested elsewhere).
    json.getJsonObject("crawler").put("downloadDir", dir.resolve("downloads").toString()).put("store", "memory");
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
    assertTrue(cluster.getBoolean("enabled"), "the pods form a cluster");
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
  void severalPodsShareOneVerifiedSequenceThatOnlyTheJobCreates() throws Exception {
    int pods = Math.max(app.one(Deployment.class).getSpec().getReplicas(),
        app.one(HorizontalPodAutoscaler.class).getSpec().getMaxReplicas());
    assertTrue(pods > 1);
    HellonetConfig config = loadPodConfig();
    assertEquals("postgres", config.sequence().store(), "up to " + pods + " pods need one store across hosts: a file"
        + " store is one sequence per pod");
    assertFalse(config.sequence().createIfMissing(), "a lost database must stop the pods, not restart at 1");
    // Set explicitly, never inherited: the embedded default (prefer) checks no certificate.
    assertEquals("verify-full", new JsonObject(configMapOf(volume(app.podSpec(), "config")).getData()
        .get("config.json")).getJsonObject("sequence").getJsonObject("postgres").getString("sslMode"));
    assertEquals("verify-full", config.sequence().postgres().sslMode());
    assertFalse(config.sequence().postgres().sslRootCert().isEmpty(), "the CA comes from a mounted Secret");
    assertEquals(postgres.one(Service.class).getMetadata().getName(), config.sequence().postgres().host(),
        "verify-full checks the name the pods connect to: the database Service's");
  }

  @Test
  void theInitSequenceJobRunsTheSameImageAndConfiguration() throws Exception {
    Job job = app.one(Job.class);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertEquals(1, pod.getContainers().size());
    Container c = pod.getContainers().get(0);
    assertEquals(app.container().getImage(), c.getImage(), "the same image");
    assertEquals(List.of("init-sequence"), c.getArgs(), "after the image's entry point");
    assertTrue(c.getCommand() == null || c.getCommand().isEmpty(), "the image's own entry point");
    assertEquals(volume(app.podSpec(), "config").getConfigMap().getName(),
        volume(pod, "config").getConfigMap().getName(), "the same ConfigMap");
    Map<String, String> env = podEnvironment(c, pod);
    HellonetConfig config = ConfigLoader.load(env);   // what the command loads
    assertFalse(config.cluster().enabled(), "a one-off client, not a cluster member");
    assertEquals(loadPodConfig().sequence().postgres(), config.sequence().postgres(), "the pods' database");
    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertNotNull(job.getSpec().getTtlSecondsAfterFinished(), "removed after it ran, so a later apply can rerun it");
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(readme.contains("init-sequence"), "README's Kubernetes section tells about the Job");
  }

  /** A Kubernetes quantity in bytes (the binary and decimal suffixes k8s/ uses). */
  private static long bytes(io.fabric8.kubernetes.api.model.Quantity q) {
    return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q).longValueExact();
  }

  /** The last value of a JVM flag {@code -XX:name=value} in {@code options}, or null. */
  private static String jvmFlag(String options, String name) {
    Matcher m = Pattern.compile("-XX:" + name + "=(\\S+)").matcher(options);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last;
  }

  private static long jvmSize(String value) {
    long unit = switch (Character.toLowerCase(value.charAt(value.length() - 1))) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      default -> 1;
    };
    return Long.parseLong(unit == 1 ? value : value.substring(0, value.length() - 1)) * unit;
  }

  @Test
  void thePodsCeilingsFitThePod() throws Exception {
    HellonetConfig config = loadPodConfig();
    // Disk: the downloads kept, plus one download being written, below the data volume's limit.
    long volumeLimit = bytes(volume(app.podSpec(), "data").getEmptyDir().getSizeLimit());
    long disk = config.crawler().limits().maxDownloadBytesOnDisk() + config.crawler().maxDownloadBytes();
    assertTrue(disk + (16L << 20) <= volumeLimit, "crawler.maxDownloadBytesOnDisk + crawler.maxDownloadBytes = " + disk
        + " does not fit the data volume's sizeLimit " + volumeLimit);

    // Memory: the image's heap percentage and direct memory cap (the JVM's default is the heap size again) leave room
    // for the rest of the JVM in the limit. JDK_JAVA_OPTIONS, if the pod set it, comes before the image's options.
    Matcher printf = Pattern.compile("RUN printf '%s\\\\n' ([^>]*)> /app/jvm.options")
        .matcher(Files.readString(Path.of("Dockerfile")));
    assertTrue(printf.find(), "Dockerfile writes /app/jvm.options");
    String javaOptions = app.container().getEnv().stream().filter(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
        .map(EnvVar::getValue).findFirst().orElse("");
    String options = javaOptions + " " + printf.group(1);
    long limit = bytes(app.container().getResources().getLimits().get("memory"));
    String percent = jvmFlag(options, "MaxRAMPercentage");
    assertNotNull(percent, "the heap is sized from the limit");
    long heap = (long) (limit * Double.parseDouble(percent) / 100);
    String directFlag = jvmFlag(options, "MaxDirectMemorySize");
    long direct = directFlag == null ? heap : jvmSize(directFlag);
    // Metaspace, code cache, thread stacks, GC structures and the cluster manager's threads and buffers.
    long rest = 256L << 20;
    assertTrue(heap + direct + rest <= limit, "heap " + (heap >> 20) + " MiB + direct " + (direct >> 20)
        + " MiB + " + (rest >> 20) + " MiB for the rest of the JVM > the memory limit " + (limit >> 20) + " MiB");
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
    for (Container c : Stream.of(Stream.of(app.container()), postgres.all(StatefulSet.class).stream()
        .flatMap(s -> s.getSpec().getTemplate().getSpec().getContainers().stream()), app.all(Job.class).stream()
        .flatMap(j -> j.getSpec().getTemplate().getSpec().getContainers().stream())).flatMap(x -> x).toList()) {
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

  private HellonetConfig loadPodConfigUnchecked() {
    try {
      return loadPodConfig();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
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
    List<Map<String, String>> clients = List.of(
        app.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels(),
        app.one(Job.class).getSpec().getTemplate().getMetadata().getLabels());
    assertTrue(np.getSpec().getIngress().stream().flatMap(r -> r.getFrom().stream())
        .allMatch(p -> p.getPodSelector() != null && p.getNamespaceSelector() == null && clients.stream()
            .anyMatch(l -> l.entrySet().containsAll(p.getPodSelector().getMatchLabels().entrySet()))),
        "only hellonet pods and the init-sequence Job reach the database");
    // hellonet logs in as the restricted role of hellonet-role.sql, never as the image's superuser.
    Container pgc = db.getSpec().getTemplate().getSpec().getContainers().get(0);
    String superuser = pgc.getEnv().stream().filter(e -> e.getName().equals("POSTGRES_USER")).map(EnvVar::getValue)
        .findFirst().orElse("postgres");
    assertFalse(superuser.equals(loadPodConfigUnchecked().sequence().postgres().user()),
        "the pods must not log in as the database's superuser " + superuser);
    assertTrue(String.join(" ", pgc.getArgs()).contains("ssl=on"), "the database serves TLS");
    if (db.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot() == null) {
      fail("the database runs as non-root too");
    }
  }
}
