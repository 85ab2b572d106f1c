package dev.hellonet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hellonet.testing.NeededTool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Renders a kustomization with {@code kubectl kustomize}, as {@code kubectl apply -k} would, into plain JSON trees. */
final class Kustomize {
  private Kustomize() {}

  /**
   * The rendered objects of {@code dir}. Without kubectl the calling test is skipped with a message, except in CI
   * (the project's rule, {@link NeededTool}: {@code CI} set to any value but {@code false}), where {@code .ci/run}
   * installs kubectl and its absence is a failure.
   */
  static List<ObjectNode> render(Path dir) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
    } catch (IOException e) {
      NeededTool.missing("kubectl (with kustomize) is not installed, so " + dir + " cannot be rendered: "
          + e.getMessage() + "; .ci/run installs it");
      throw new AssertionError("unreachable");
    }
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl kustomize " + dir + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
    }
    return parse(new String(out, StandardCharsets.UTF_8));
  }

  /** Every document of a multi-document YAML stream, each of which must be an object. */
  static List<ObjectNode> parse(String yaml) throws IOException {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    List<ObjectNode> objects = new ArrayList<>();
    try (var docs = mapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (!(doc instanceof ObjectNode object)) {
          throw new AssertionError("a rendered document is not an object: " + doc);
        }
        objects.add(object);
      }
    }
    return objects;
  }
}
