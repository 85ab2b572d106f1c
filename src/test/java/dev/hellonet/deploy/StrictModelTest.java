package dev.hellonet.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest checker can fail: unknown fields, wrong types, unknown kinds and wrong apiVersions are caught. */
class StrictModelTest {
  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d}
      spec:
        replicas: 3
        selector: {matchLabels: {app: d}}
        template:
          metadata: {labels: {app: d}}
          spec:
            containers:
              - name: c
                image: i
                env: [{name: A, value: "1"}]
                resources: {limits: {cpu: 500m, memory: 1Gi}}
                readinessProbe: {httpGet: {path: /health/ready, port: http}}
      """;

  private final StrictModel model = new StrictModel();

  private Object parse(String yaml) throws IOException {
    return model.parse(Kustomize.parse(yaml).get(0));
  }

  @Test
  void aValidDeploymentParsesIntoTheTypedModel() throws IOException {
    Deployment d = (Deployment) parse(DEPLOYMENT);
    assertEquals(3, d.getSpec().getReplicas());
    assertEquals("http", d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet()
        .getPort().getStrVal());
  }

  @Test
  void anUnknownFieldDeepInsideIsNamed() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> parse(DEPLOYMENT.replace("image: i", "image: i\n          imagePullPolice: Always")));
    assertTrue(e.getMessage().contains("imagePullPolice"), e.getMessage());
    assertTrue(e.getMessage().contains("containers[0]"), e.getMessage());
  }

  @Test
  void wrongTypesFail() {
    assertThrows(AssertionError.class, () -> parse(DEPLOYMENT.replace("replicas: 3", "replicas: three")));
    assertThrows(AssertionError.class, () -> parse(DEPLOYMENT.replace("replicas: 3", "replicas: \"3\"")));
    assertThrows(AssertionError.class, () -> parse(DEPLOYMENT.replace("value: \"1\"", "value: 1")));
    assertThrows(AssertionError.class, () -> parse(DEPLOYMENT.replace("containers:", "initContainers: {}\n      containers:")));
  }

  @Test
  void unknownKindsAndWrongApiVersionsFail() {
    assertThrows(AssertionError.class, () -> parse(DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")));
    AssertionError e = assertThrows(AssertionError.class,
        () -> parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: b}\n"));
    assertTrue(e.getMessage().contains("Secret"), e.getMessage());
  }
}
