# hellonet container image: a Maven + JDK stage builds the fat jar, a JRE stage runs it.
#
#   docker build -t hellonet:0.1.0 .            (or podman build)
#
# The base images are build arguments so that a build without a registry can point them at local images
# (deploy/container-test.sh does, with images it makes offline). The runtime needs bash and useradd (both in the
# Debian/Ubuntu-based temurin images) only at build time. Nothing machine-specific (CA certificates, mirrors) belongs
# here: give those to the build with mounts or to the base images.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-21
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies and plugins first, in a layer of their own: a source change does not download them again.
COPY pom.xml ./
# A build of no sources fetches exactly what the real one needs (dependency:go-offline trips over Netty's
# os-classifier placeholders).
RUN mvn -B -ntp -q package -DskipTests -Dmaven.main.skip=true && rm -rf target
COPY conf/config.json conf/config.json
COPY src/main src/main
COPY src/launcher src/launcher
RUN mvn -B -ntp -q package -DskipTests && cp target/hellonet.jar /hellonet.jar

FROM ${RUNTIME_IMAGE}
# Fixed IDs: the Deployment's runAsUser/runAsGroup/fsGroup name them, and volumes keep their owner across images.
ARG APP_UID=10001
# Whether to make a class-data-sharing archive from a training run (see below); "false" leaves it out.
ARG APPCDS=true
RUN groupadd --system --gid "${APP_UID}" hellonet \
 && useradd --system --uid "${APP_UID}" --gid hellonet --home-dir /app --no-create-home --shell /usr/sbin/nologin hellonet \
 && mkdir -p /app/data \
 && chown "${APP_UID}:${APP_UID}" /app/data
WORKDIR /app
COPY --from=build /hellonet.jar /app/hellonet.jar

# JVM flags live in an argument file so that the AppCDS choice below can add one: the parallel collector as in the
# launcher (the hot path allocates next to nothing, so the collectors measured alike and Parallel is the leanest);
# heap sized from the container's memory limit; direct buffers capped (the JVM's default is the heap size again, which
# would not fit any limit); a JVM out of memory exits so that the orchestrator restarts it. On a JDK that knows it
# (23+), sun.misc.Unsafe is allowed: the cluster's JBoss Threads (under Infinispan) uses it, and JDK 24+ would print a
# non-JSON warning at a clustered node's start.
RUN printf '%s\n' -XX:+UseParallelGC -XX:MaxRAMPercentage=75 -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError \
      --enable-native-access=ALL-UNNAMED > /app/jvm.options \
 && if java --sun-misc-unsafe-memory-access=allow -version > /dev/null 2>&1; then \
      echo --sun-misc-unsafe-memory-access=allow >> /app/jvm.options; \
    fi

# AppCDS: a training run (start, hello requests, a health probe, SIGTERM) leaves the classes it loaded in
# /app/hellonet.jsa; at run time the JVM maps them instead of loading and verifying them again.
COPY deploy/appcds-training.sh /app/appcds-training.sh
RUN if [ "${APPCDS}" = true ]; then \
      bash /app/appcds-training.sh /app/hellonet.jsa \
      && echo -XX:SharedArchiveFile=/app/hellonet.jsa >> /app/jvm.options; \
    fi

USER ${APP_UID}:${APP_UID}
# Data (the sequence file, downloads) belongs on a volume; with a read-only root filesystem /tmp must be a writable
# mount too (Netty unpacks its native epoll library there). Ports: hello, HTTP, cluster membership, clustered event bus.
VOLUME ["/app/data"]
EXPOSE 9000 8080 5701 5702
# Exec form, so SIGTERM reaches the JVM (which stops gracefully and exits 0).
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/hellonet.jar"]
