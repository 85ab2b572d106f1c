package dev.hellonet.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns rendered Kubernetes objects into fabric8's typed model the way the API server's strict decoding would judge
 * them: an unknown kind or apiVersion, an unknown field anywhere, or a value of the wrong type is an error naming
 * where it is.
 *
 * <p>fabric8's classes keep unknown fields in {@code additionalProperties} instead of failing, so after Jackson has
 * built the object this walks it and fails on any non-empty one. Scalars are not coerced ({@code "3"} is not a
 * number, {@code 3} is not a string), except where the Kubernetes type itself is int-or-string or a quantity.
 */
final class StrictModel {
  /** The kinds k8s/ may contain, each at the one apiVersion it must use. */
  private static final Map<String, Kind> KINDS = Map.of(
      "Job", new Kind("batch/v1", io.fabric8.kubernetes.api.model.batch.v1.Job.class),
      "ConfigMap", new Kind("v1", ConfigMap.class),
      "Service", new Kind("v1", Service.class),
      "Deployment", new Kind("apps/v1", Deployment.class),
      "StatefulSet", new Kind("apps/v1", StatefulSet.class),
      "HorizontalPodAutoscaler", new Kind("autoscaling/v2", HorizontalPodAutoscaler.class),
      "PodDisruptionBudget", new Kind("policy/v1", PodDisruptionBudget.class),
      "NetworkPolicy", new Kind("networking.k8s.io/v1", NetworkPolicy.class));

  private record Kind(String apiVersion, Class<? extends HasMetadata> type) {}

  private final ObjectMapper mapper;

  StrictModel() {
    JsonMapper m = JsonMapper.builder()
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
    // Numbers and booleans are not strings in the Kubernetes API (an env value of 1 is rejected there).
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    this.mapper = m;
  }

  /** The typed object, or an AssertionError naming the object and what is wrong with it. */
  HasMetadata parse(ObjectNode node) {
    String kind = node.path("kind").asText();
    String name = kind + "/" + node.path("metadata").path("name").asText("?");
    Kind known = KINDS.get(kind);
    if (known == null) {
      throw new AssertionError(name + ": kind \"" + kind + "\" is not one k8s/ is expected to hold " + KINDS.keySet());
    }
    if (!known.apiVersion().equals(node.path("apiVersion").asText())) {
      throw new AssertionError(name + ": apiVersion must be " + known.apiVersion() + ", got "
          + node.path("apiVersion"));
    }
    HasMetadata typed;
    try {
      typed = mapper.treeToValue(node, known.type());
    } catch (Exception e) {
      throw new AssertionError(name + ": does not match the Kubernetes schema: " + e.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    collectUnknown(typed, kind, unknown);
    if (!unknown.isEmpty()) {
      throw new AssertionError(name + ": unknown field(s) " + unknown);
    }
    return typed;
  }

  /** Adds the path of every unknown field under {@code value} (a fabric8 model object, list or map). */
  private static void collectUnknown(Object value, String path, List<String> out) {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectUnknown(list.get(i), path + "[" + i + "]", out);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknown(v, path + "." + k, out));
      return;
    }
    if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra) {
          extra.keySet().forEach(k -> out.add(path + "." + k));
        }
        continue;
      }
      String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      collectUnknown(child, path + "." + field, out);
    }
  }
}
