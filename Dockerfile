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
RUN mvn -B -ntp -q dependency:go-offline
COPY conf/config.json conf/config.json
COPY src/main src/main
RUN mvn -B -ntp -q package -DskipTests && cp target/hellonet.jar /hellonet.jar

FROM ${RUNTIME_IMAGE}
# Fixed IDs: the Deployment's runAsUser/runAsGroup/fsGroup name them, and volumes keep their owner across images.
ARG APP_UID=10001
# Whether to make a class-data-sharing archive from a training run (see below); "false" leaves it out.
ARG APPCDS=true
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN groupadd --system --gid "${APP_UID}" hellonet \
 && useradd --system --uid "${APP_UID}" --gid hellonet --home-dir /app --no-create-home --shell /usr/sbin/nologin hellonet \
 && mkdir -p /app/data \
 && chown "${APP_UID}:${APP_UID}" /app/data
WORKDIR /app
COPY --from=build /hellonet.jar /app/hellonet.jar

# JVM flags live in an argument file so that the AppCDS choice below can add one: the parallel collector as in the
# launcher (the hot path allocates next to nothing, so the collectors measured alike and Parallel is the leanest);
# heap sized from the container's memory limit; a JVM out of memory exits so that the orchestrator restarts it.
RUN printf '%s\n' -XX:+UseParallelGC -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError \
      --enable-native-access=ALL-UNNAMED > /app/jvm.options

# AppCDS: start the node once, send it hello requests and a health probe, stop it with SIGTERM, and keep the classes
# it loaded in /app/hellonet.jsa; at run time the JVM maps them instead of loading and verifying them again. The run
# listens on loopback ports the kernel picks, so it cannot collide with anything on the build host.
RUN if [ "${APPCDS}" = true ]; then \
      t=$(mktemp -d) && cd "$t" \
      && { HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=0 HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 \
           HELLONET_SEQUENCE_FILE="$t/sequence" HELLONET_CRAWLER_DOWNLOADDIR="$t/downloads" \
           java -XX:ArchiveClassesAtExit=/app/hellonet.jsa @/app/jvm.options -jar /app/hellonet.jar \
           > "$t/log" 2>&1 & } && pid=$! \
      && for _ in $(seq 600); do grep -q 'hellonet ready' "$t/log" && break; kill -0 "$pid" || break; sleep 0.1; done \
      && line=$(grep -m1 'hellonet ready' "$t/log") \
      && hello=$(sed -E 's/.*hello server on [^ ]*:([0-9]+) .*/\1/' <<< "$line") \
      && http=$(sed -E 's/.*HTTP API on [^ ]*:([0-9]+).*/\1/' <<< "$line") \
      && exec 3<>"/dev/tcp/127.0.0.1/$hello" && printf 'hi\nhi\n' >&3 && head -n2 <&3 && exec 3>&- \
      && exec 4<>"/dev/tcp/127.0.0.1/$http" && printf 'GET /health/ready HTTP/1.0\r\n\r\n' >&4 && head -n1 <&4 \
      && exec 4>&- \
      && kill -TERM "$pid" && wait "$pid" && test -s /app/hellonet.jsa \
      && echo -XX:SharedArchiveFile=/app/hellonet.jsa >> /app/jvm.options && rm -rf "$t" \
      || { cat "$t/log"; exit 1; }; \
    fi

USER ${APP_UID}:${APP_UID}
# Data (the sequence file, downloads) belongs on a volume; with a read-only root filesystem /tmp must be a writable
# mount too (Netty unpacks its native epoll library there).
VOLUME ["/app/data"]
EXPOSE 9000 8080
# Exec form, so SIGTERM reaches the JVM (which stops gracefully and exits 0).
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/hellonet.jar"]
