# Shared by deploy/container-test.sh and deploy/pods-test.sh (sourced, not run): the tools, the offline base images,
# the image built from the project's Dockerfile, and the rendered manifests. The caller sets ROOT (the checkout),
# WORK (its temp dir) and ID (a name unique to the run), and defines say and fail.
#
# KEEP_IMAGES=1 (for development): the images get fixed names (localhost/hellonet-dev/...), are reused when they exist
# and are not removed at exit, so a second run skips mmdebstrap, jlink and the Maven build. REBUILD_APP=1 with it
# rebuilds the application image only (after a source change).

# pl_tools [DEBIAN_PACKAGE...]: root, podman, mmdebstrap, runc and iptables (installed from Debian if missing, with
# the extra packages given), kubectl, python3 and curl. netavark, podman's network backend once installed, sets up
# every bridge network (a build's RUN steps included) with iptables and fails with a bare "No such file or directory"
# without it.
pl_tools() {
  [ "$(id -u)" = 0 ] || fail "needs root (podman with the runc runtime, mmdebstrap, chown of the data volumes)"
  local missing=() tool
  for tool in podman mmdebstrap runc iptables; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  for tool in "$@"; do dpkg -s "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || "$ROOT/bench/apt-install.sh" "${missing[@]}"
  command -v kubectl >/dev/null || fail "kubectl (with kustomize) is needed to render k8s/"
  for tool in python3 curl; do command -v "$tool" >/dev/null || fail "$tool is needed"; done
  # The JDK the launcher picks (21+), and Maven's home, for the offline base images.
  JDK=$("$ROOT/hellonet" java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
  [ -x "$JDK/bin/jlink" ] || fail "no JDK with jlink found (got '$JDK')"
  MAVEN_HOME=$(mvn -v 2>/dev/null | sed -n 's/^Maven home: //p')
  [ -d "$MAVEN_HOME" ] || fail "cannot find Maven's home"
  # Raising limits is not permitted here: stay at or below the hard limits (nproc counts this UID's threads only).
  local nofile
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nofile" -gt 65536 ] && nofile=65536
  LIMITS=(--runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
  local prefix="localhost/$ID"
  [ -n "${KEEP_IMAGES:-}" ] && prefix=localhost/hellonet-dev
  BUILD_IMAGE="$prefix/build-base:latest"
  RUNTIME_IMAGE="$prefix/jre:latest"
  APP_IMAGE="$prefix/hellonet:test"
  PG_IMAGE="$prefix/postgres:test"
  PL_IMAGES=()
}

pl_have_image() { [ -n "${KEEP_IMAGES:-}" ] && podman image exists "$1"; }

# pl_remove_images: every image this run made (none with KEEP_IMAGES).
pl_remove_images() {
  [ -n "${KEEP_IMAGES:-}" ] && return 0
  local i
  for i in "${PL_IMAGES[@]}"; do podman rmi -f "$i" >/dev/null 2>&1; done
  return 0
}

# pl_unmount_work: mmdebstrap mounts /proc and /dev inside the root filesystem while it runs: never delete through a
# mount.
pl_unmount_work() {
  findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
  return 0
}

# pl_rootfs DIR [PACKAGE,...] [MMDEBSTRAP_OPTION...]: a minimal Debian root filesystem ("essential" plus passwd, for
# useradd, which the Dockerfile calls; no apt, so smaller and faster than minbase), with the machine's trust store (it
# holds the CA that TLS to Maven Central is verified with here): given to these test images only, never written into
# the Dockerfile.
pl_rootfs() {
  local dir=$1 extra=${2:+,$2}
  shift; [ $# -gt 0 ] && shift
  SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mmdebstrap --quiet --variant=essential --include="passwd$extra" --dpkgopt=force-unsafe-io \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    "$@" "$SUITE" "$dir" 2> "$dir.mmdebstrap.log" || { cat "$dir.mmdebstrap.log" >&2; fail "mmdebstrap"; }
  rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/*
  mkdir -p "$dir/etc/ssl/certs" && cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
}

PL_IMPORT_ENV=(--change 'ENV JAVA_HOME=/opt/java/openjdk'
               --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
               --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]')

# pl_base_images: RUNTIME_IMAGE (a jlink image of $JDK with its CDS archive) and BUILD_IMAGE (the JDK and Maven), made
# offline; appends a line to SUMMARY.
pl_base_images() {
  PL_IMAGES+=("$BUILD_IMAGE" "$RUNTIME_IMAGE")
  local java_version
  java_version=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
  if pl_have_image "$BUILD_IMAGE" && pl_have_image "$RUNTIME_IMAGE"; then
    SUMMARY+=("base images: reused $RUNTIME_IMAGE and $BUILD_IMAGE (KEEP_IMAGES)")
    return 0
  fi
  local rootfs="$WORK/rootfs"
  say "making a minimal Debian root filesystem (mmdebstrap)"
  pl_rootfs "$rootfs"
  say "runtime base: a jlink image of $JDK (with its CDS archive)"
  "$JDK/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.zipfs,jdk.naming.dns,jdk.crypto.cryptoki \
    --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
    --output "$rootfs/opt/java/openjdk" > "$WORK/jlink.log" 2>&1 || { cat "$WORK/jlink.log" >&2; fail "jlink"; }
  cp -L "$JDK/lib/security/cacerts" "$rootfs/opt/java/openjdk/lib/security/cacerts"
  tar -C "$rootfs" -c . | podman import -q "${PL_IMPORT_ENV[@]}" - "$RUNTIME_IMAGE" >/dev/null
  say "build base: the JDK and Maven ($MAVEN_HOME)"
  rm -rf "$rootfs/opt/java/openjdk"
  cp -a "$JDK" "$rootfs/opt/java/openjdk"
  # Debian's JDK packages link cacerts to /etc/ssl/certs/java/cacerts: copy the store itself.
  rm -f "$rootfs/opt/java/openjdk/lib/security/cacerts"
  cp -L "$JDK/lib/security/cacerts" "$rootfs/opt/java/openjdk/lib/security/cacerts"
  cp -rL "$MAVEN_HOME" "$rootfs/usr/share/maven"
  ln -s /usr/share/maven/bin/mvn "$rootfs/usr/bin/mvn"
  tar -C "$rootfs" -c . | podman import -q "${PL_IMPORT_ENV[@]}" --change 'ENV MAVEN_HOME=/usr/share/maven' - "$BUILD_IMAGE" >/dev/null
  rm -rf "$rootfs"
  SUMMARY+=("base images: $SUITE essential + jlink of $java_version (runtime), + JDK and Maven (build)")
}

# pl_build_app: APP_IMAGE from the project's Dockerfile on the base images; appends a line to SUMMARY.
pl_build_app() {
  PL_IMAGES+=("$APP_IMAGE")
  if pl_have_image "$APP_IMAGE" && [ -z "${REBUILD_APP:-}" ]; then
    SUMMARY+=("image: reused $APP_IMAGE (KEEP_IMAGES; REBUILD_APP=1 rebuilds it)")
    return 0
  fi
  # The machine's Maven repository, mounted as an overlay: the build finds what earlier runs downloaded and its own
  # downloads are thrown away with the container. The Dockerfile itself knows nothing of it.
  local m2="${HOME}/.m2" tb
  mkdir -p "$m2/repository"
  # --layers=false: no intermediate images to clean up (the Maven repository above is the cache that matters here).
  say "podman build (Dockerfile, AppCDS on)"
  tb=$(date +%s)
  podman build "${LIMITS[@]}" --layers=false \
    --build-arg "BUILD_IMAGE=$BUILD_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
    -v "$m2:/root/.m2:O" -f "$ROOT/Dockerfile" -t "$APP_IMAGE" "$ROOT" > "$WORK/build.log" 2>&1 \
    || { tail -50 "$WORK/build.log" >&2; fail "podman build"; }
  tb=$(($(date +%s) - tb))
  SUMMARY+=("image $(pl_size "$APP_IMAGE") (its runtime base $(pl_size "$RUNTIME_IMAGE")); build ${tb} s")
  # The archive must really map on this JVM, or start-up figures "with AppCDS" measure nothing.
  podman run --rm "${LIMITS[@]}" --entrypoint java "$APP_IMAGE" @/app/jvm.options -Xshare:on -cp /app/hellonet.jar -version \
    > "$WORK/cds.log" 2>&1 || { cat "$WORK/cds.log" >&2; fail "the AppCDS archive does not map (-Xshare:on)"; }
}

pl_size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

# pl_postgres_image: PG_IMAGE, Debian's PostgreSQL in an offline root filesystem, with deploy/pg-entrypoint.sh
# standing in for the official image's entry point. The postgres user gets UID/GID 999 (what k8s/postgres runs as, the
# official image's IDs) before the package creates it, so initdb finds the running user's name.
pl_postgres_image() {
  PL_IMAGES+=("$PG_IMAGE")
  if pl_have_image "$PG_IMAGE"; then SUMMARY+=("PostgreSQL image: reused $PG_IMAGE (KEEP_IMAGES)"); return 0; fi
  local rootfs="$WORK/pgroot" bin
  say "PostgreSQL image: mmdebstrap with Debian's postgresql"
  pl_rootfs "$rootfs" postgresql \
    --essential-hook='echo "postgres:x:999:999:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash" >> "$1/etc/passwd"; echo "postgres:x:999:" >> "$1/etc/group"; echo "postgres:*:19000:0:99999:7:::" >> "$1/etc/shadow"'
  bin=$(ls -d "$rootfs"/usr/lib/postgresql/*/bin | head -1)
  [ -x "$bin/postgres" ] || fail "no PostgreSQL server in the PostgreSQL image"
  [ "$(awk -F: '$1 == "postgres" {print $3 ":" $4}' "$rootfs/etc/passwd")" = 999:999 ] || fail "postgres is not 999:999 in the image"
  install -m 755 "$ROOT/deploy/pg-entrypoint.sh" "$rootfs/usr/local/bin/pg-entrypoint.sh"
  tar -C "$rootfs" -c . | podman import -q --change "ENV PATH=${bin#"$rootfs"}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'ENV LANG=C.UTF-8' --change 'USER 999:999' --change 'ENTRYPOINT ["/usr/local/bin/pg-entrypoint.sh"]' \
    - "$PG_IMAGE" >/dev/null
  rm -rf "$rootfs"
  SUMMARY+=("PostgreSQL image: $SUITE essential + Debian's postgresql ($(basename "$(dirname "$bin")")), $(pl_size "$PG_IMAGE")")
}

# pl_render DIR...: the rendered objects of each kustomization as one JSON file per directory in $WORK
# (rendered-<name>.json); kubectl turns YAML into JSON offline (--local never talks to a cluster).
pl_render() {
  local d name
  for d in "$@"; do
    name=$(basename "$d")
    kubectl kustomize "$ROOT/$d" > "$WORK/rendered-$name.yaml"
    kubectl label --local -f "$WORK/rendered-$name.yaml" -o json rendered=1 > "$WORK/rendered-$name.json"
  done
}
