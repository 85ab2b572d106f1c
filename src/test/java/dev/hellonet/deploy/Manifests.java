package dev.hellonet.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The typed objects one kustomization renders, with look-ups by kind and name. */
record Manifests(List<HasMetadata> objects) {
  static Manifests render(Path dir) throws IOException, InterruptedException {
    StrictModel model = new StrictModel();
    List<ObjectNode> nodes = Kustomize.render(dir);
    return new Manifests(nodes.stream().map(model::parse).toList());
  }

  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> kind) {
    List<T> found = all(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  <T extends HasMetadata> T named(Class<T> kind, String name) {
    return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " named " + name + " in " + names()));
  }

  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  /** The hellonet Deployment's pod spec and its one container. */
  PodSpec podSpec() {
    return one(Deployment.class).getSpec().getTemplate().getSpec();
  }

  Container container() {
    List<Container> containers = podSpec().getContainers();
    if (containers.size() != 1) {
      throw new AssertionError("the hellonet pod should have one container, has " + containers.size());
    }
    return containers.get(0);
  }
}
