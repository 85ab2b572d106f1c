#!/usr/bin/env bash
# Builds the hellonet image from the project's own Dockerfile with podman and runs it under the security settings of
# the rendered Kubernetes Deployment, then checks what a cluster would rely on:
#   - the hello protocol answers with unique numbers, /health/ready turns ready, the transport is native epoll;
#   - the JVM runs as the Deployment's non-root UID;
#   - podman stop (SIGTERM) exits 0 within terminationGracePeriodSeconds, answering every request it read;
#   - a second container on the same data volume continues above every number the first one sent;
#   - start-up to ready with the image's AppCDS archive and without it (an image built with APPCDS=false).
# No registry is needed: the base images are made offline (mmdebstrap's minimal Debian, plus the machine's JDK and
# Maven) and passed to the Dockerfile as BUILD_IMAGE and RUNTIME_IMAGE. Everything it creates (containers, images,
# temp dirs) is removed on exit, failure included. Needs root (podman with the runc runtime).
#
#   deploy/container-test.sh            (CI runs it after the unit tests)
#   KEEP=1 deploy/container-test.sh     keep the work dir for a look afterwards (images and containers still go)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$(date +%s)
STARTS=${HELLONET_CT_STARTS:-3}   # start-up measurements per image

say() { printf '[container-test %3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (podman with the runc runtime, mmdebstrap, chown of the data volume)"
missing=()
for tool in podman mmdebstrap runc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] || bench/apt-install.sh podman mmdebstrap runc
command -v kubectl >/dev/null || fail "kubectl (with kustomize) is needed to render k8s/"
for tool in python3 curl; do command -v "$tool" >/dev/null || fail "$tool is needed"; done

# The JDK the launcher picks (21+), and Maven's home, for the offline base images.
JDK=$(./hellonet java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
[ -x "$JDK/bin/jlink" ] || fail "no JDK with jlink found (got '$JDK')"
MAVEN_HOME=$(mvn -v 2>/dev/null | sed -n 's/^Maven home: //p')
[ -d "$MAVEN_HOME" ] || fail "cannot find Maven's home"

ID="hellonet-ct-$$"
WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
PODMAN=(podman)
BUILD_IMAGE="localhost/$ID/build-base:latest"
RUNTIME_IMAGE="localhost/$ID/jre:latest"
APP_IMAGE="localhost/$ID/hellonet:test"
CONTAINERS=()
RESULT=FAILED
SUMMARY=()

cleanup() {
  set +e
  for c in "${CONTAINERS[@]}"; do "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1; done
  # The build runs with --layers=false, so these are all the images it made.
  for i in "$APP_IMAGE" "$BUILD_IMAGE" "$RUNTIME_IMAGE"; do
    "${PODMAN[@]}" rmi -f "$i" >/dev/null 2>&1
  done
  # mmdebstrap mounts /proc and /dev inside the root filesystem while it runs: never delete through a mount.
  findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf --one-file-system "$WORK"; fi
  echo
  echo "== container test: $RESULT in $(($(date +%s) - T0)) s"
  for line in "${SUMMARY[@]}"; do echo "   $line"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. What the Deployment asks for -------------------------------------------------------------------------------
say "rendering k8s/ and reading the Deployment's settings"
kubectl kustomize k8s/ > "$WORK/rendered.yaml"
# kubectl turns YAML into JSON offline (--local never talks to a cluster); python reads the parts we need.
kubectl label --local -f "$WORK/rendered.yaml" -o json container-test=1 > "$WORK/rendered.json"
python3 - "$WORK" <<'PY'
import json, os, sys, pathlib, shlex
work = pathlib.Path(sys.argv[1])
# One JSON document per object, one after another.
text, items, pos, dec = (work / "rendered.json").read_text(), [], 0, json.JSONDecoder()
while pos < len(text.rstrip()):
    obj, end = dec.raw_decode(text, pos)
    items += obj["items"] if obj.get("kind") == "List" else [obj]
    pos = end + (len(text[end:]) - len(text[end:].lstrip()))
dep = next(i for i in items if i["kind"] == "Deployment")
pod = dep["spec"]["template"]["spec"]
c = pod["containers"][0]
psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
configmaps = {i["metadata"]["name"]: i["data"] for i in items if i["kind"] == "ConfigMap"}
out = {}
out["APP_UID"] = str(csc.get("runAsUser", psc.get("runAsUser", "")))
out["APP_GID"] = str(csc.get("runAsGroup", psc.get("runAsGroup", "")))
out["RUN_AS_NON_ROOT"] = str(csc.get("runAsNonRoot", psc.get("runAsNonRoot", False))).lower()
out["READ_ONLY_ROOT"] = str(csc.get("readOnlyRootFilesystem", False)).lower()
out["NO_PRIV_ESC"] = str(not csc.get("allowPrivilegeEscalation", True)).lower()
out["CAP_DROP"] = ",".join(csc.get("capabilities", {}).get("drop", []))
out["SECCOMP"] = psc.get("seccompProfile", {}).get("type", "")
out["SYSCTLS"] = " ".join(f"{s['name']}={s['value']}" for s in psc.get("sysctls", []))
out["GRACE"] = str(pod.get("terminationGracePeriodSeconds", 30))
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
out["HELLO_PORT"], out["HTTP_PORT"] = str(ports["hello"]), str(ports["http"])
pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
out["PRESTOP"] = " ".join(pre)
out["MEMORY"] = c.get("resources", {}).get("limits", {}).get("memory", "")
out["CPUS"] = c.get("resources", {}).get("limits", {}).get("cpu", "")
# Volumes: configMap volumes become files in the work dir mounted read-only; emptyDirs become a data dir or a tmpfs.
mounts = []
vols = {v["name"]: v for v in pod.get("volumes", [])}
for m in c.get("volumeMounts", []):
    v = vols[m["name"]]
    if "configMap" in v:
        d = work / "cm" / m["name"]
        d.mkdir(parents=True)
        for k, text in configmaps[v["configMap"]["name"]].items():
            (d / k).write_text(text)
        mounts.append(f"-v {d}:{m['mountPath']}:ro")
    elif m["mountPath"] == "/tmp":
        mounts.append("--tmpfs /tmp:rw,exec,nosuid,nodev,size=" + v["emptyDir"].get("sizeLimit", "64Mi").replace("Mi", "m"))
    elif "emptyDir" in v:
        out["DATA_MOUNT"] = m["mountPath"]
    elif "secret" in v:
        # Secret files (the database's CA): stand-in files under the keys the volume projects, read-only.
        d = work / "secret" / m["name"]
        d.mkdir(parents=True)
        for item in v["secret"].get("items", []):
            (d / item["path"]).write_text(f"container-test stand-in for {v['secret']['secretName']}/{item['key']}\n")
        os.chmod(d, 0o755)
        for f in d.iterdir():
            os.chmod(f, 0o644)
        mounts.append(f"-v {d}:{m['mountPath']}:ro")
    else:
        raise SystemExit(f"volume {m['name']}: no stand-in for {list(v)}")
out["MOUNTS"] = " ".join(mounts)
# Env: literal values as they are; Secret references get test values (a token of the required form).
env = []
secrets = []
for e in c.get("env", []):
    if "value" in e:
        env.append(f"{e['name']}={e['value']}")
    elif "fieldRef" in e.get("valueFrom", {}):
        env.append(f"{e['name']}=127.0.0.1")   # the pod IP; unused with clustering off here
    elif "secretKeyRef" in e.get("valueFrom", {}):
        ref = e["valueFrom"]["secretKeyRef"]
        secrets.append(f"{ref['name']}/{ref['key']}")
        env.append(f"{e['name']}=container-test-secret-{ref['key']}-0123456789")
    else:
        raise SystemExit(f"env {e['name']}: no stand-in for {e.get('valueFrom')}")
(work / "env").write_text("\n".join(env) + "\n")
out["SECRETS"] = " ".join(secrets)
# The configuration the pods get, to tell which stores and peers a single container here cannot have.
cfg_path = next((e.split("=", 1)[1] for e in env if e.startswith("HELLONET_CONFIG=")), None)
cfg = {}
if cfg_path:
    for m in c.get("volumeMounts", []):
        if cfg_path.startswith(m["mountPath"] + "/") and "configMap" in vols[m["name"]]:
            cfg = json.loads(configmaps[vols[m["name"]]["configMap"]["name"]][cfg_path[len(m["mountPath"]) + 1:]])
out["STORE"] = cfg.get("sequence", {}).get("store", "file")
out["CLUSTER"] = str(cfg.get("cluster", {}).get("enabled", False)).lower()
with open(work / "deployment.env", "w") as f:
    for k, v in out.items():
        f.write(f"{k}={shlex.quote(v)}\n")
PY
# shellcheck disable=SC1091
. "$WORK/deployment.env"
[ "$RUN_AS_NON_ROOT" = true ] && [ -n "$APP_UID" ] && [ "$APP_UID" != 0 ] || fail "the Deployment must run as a non-root UID"
[ -n "${DATA_MOUNT:-}" ] || fail "the Deployment mounts no data volume"
# Podman's default seccomp profile is the container runtime's default, which is what RuntimeDefault names.
RUN_OPTS=(--user "$APP_UID:$APP_GID")
[ "$NO_PRIV_ESC" = true ] && RUN_OPTS+=(--security-opt no-new-privileges)
[ "$SECCOMP" = RuntimeDefault ] || fail "seccompProfile must be RuntimeDefault (got '$SECCOMP')"
[ "$READ_ONLY_ROOT" = true ] && RUN_OPTS+=(--read-only --read-only-tmpfs=false)
for cap in ${CAP_DROP//,/ }; do RUN_OPTS+=(--cap-drop "$cap"); done
for s in $SYSCTLS; do RUN_OPTS+=(--sysctl "$s"); done
# shellcheck disable=SC2206
RUN_OPTS+=($MOUNTS --env-file "$WORK/env")
# Resource limits as the kubelet would set them (Mi/Gi to podman's m/g; millicores to CPUs).
[ -n "$MEMORY" ] && RUN_OPTS+=(--memory "$(sed -E 's/Gi$/g/; s/Mi$/m/' <<< "$MEMORY")")
if [ -n "$CPUS" ]; then
  case "$CPUS" in *m) RUN_OPTS+=(--cpus "$(python3 -c "print(${CPUS%m}/1000)")") ;; *) RUN_OPTS+=(--cpus "$CPUS") ;; esac
fi
# Raising limits is not permitted here: stay at or below the hard limits (nproc counts this UID's threads only).
NOFILE=$(ulimit -Hn); [ "$NOFILE" = unlimited ] && NOFILE=1048576
[ "$NOFILE" -gt 65536 ] && NOFILE=65536
LIMITS=(--runtime runc --ulimit "nofile=$NOFILE:$NOFILE" --ulimit nproc=4096:4096)
RUN_OPTS+=("${LIMITS[@]}")
# A single container here has no PostgreSQL and no peers: say so and use what it can have.
OVERRIDES=()
if [ "$STORE" != file ]; then
  # The pods' createIfMissing=false is for their database row, which the init-sequence Job creates; the file here is new.
  OVERRIDES+=(-e HELLONET_SEQUENCE_STORE=file -e HELLONET_SEQUENCE_CREATEIFMISSING=true)
  SUMMARY+=("sequence.store $STORE replaced by file, created at the first start (no database for a single container here)")
fi
if [ "$CLUSTER" = true ]; then OVERRIDES+=(-e HELLONET_CLUSTER_ENABLED=false); SUMMARY+=("cluster.enabled replaced by false (no peers here)"); fi
SUMMARY+=("ran as $APP_UID:$APP_GID, read-only root=$READ_ONLY_ROOT, cap-drop=$CAP_DROP, no-new-privileges=$NO_PRIV_ESC, sysctls: $SYSCTLS, secrets stood in: $SECRETS")

# --- 2. Base images, offline ------------------------------------------------------------------------------------------
say "making a minimal Debian root filesystem (mmdebstrap)"
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
# "essential" plus passwd (useradd, which the Dockerfile calls): no apt, so it is smaller and faster than minbase.
mmdebstrap --quiet --variant=essential --include=passwd --dpkgopt=force-unsafe-io \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  "$SUITE" "$WORK/rootfs" 2> "$WORK/mmdebstrap.log" || { cat "$WORK/mmdebstrap.log" >&2; fail "mmdebstrap"; }
rm -rf "$WORK/rootfs"/var/cache/apt/* "$WORK/rootfs"/var/lib/apt/lists/*
# The machine's trust store (it holds the CA that TLS to Maven Central is verified with here): given to these test
# images only, never written into the Dockerfile.
mkdir -p "$WORK/rootfs/etc/ssl/certs" && cp -L /etc/ssl/certs/ca-certificates.crt "$WORK/rootfs/etc/ssl/certs/"

say "runtime base: a jlink image of $JDK (with its CDS archive)"
"$JDK/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.zipfs,jdk.naming.dns,jdk.crypto.cryptoki \
  --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
  --output "$WORK/rootfs/opt/java/openjdk" > "$WORK/jlink.log" 2>&1 || { cat "$WORK/jlink.log" >&2; fail "jlink"; }
cp -L "$JDK/lib/security/cacerts" "$WORK/rootfs/opt/java/openjdk/lib/security/cacerts"
IMPORT_ENV=(--change 'ENV JAVA_HOME=/opt/java/openjdk'
            --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
            --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]')
tar -C "$WORK/rootfs" -c . | podman import -q "${IMPORT_ENV[@]}" - "$RUNTIME_IMAGE" >/dev/null

say "build base: the JDK and Maven ($MAVEN_HOME)"
rm -rf "$WORK/rootfs/opt/java/openjdk"
cp -a "$JDK" "$WORK/rootfs/opt/java/openjdk"
# Debian's JDK packages link cacerts to /etc/ssl/certs/java/cacerts: copy the store itself.
rm -f "$WORK/rootfs/opt/java/openjdk/lib/security/cacerts"
cp -L "$JDK/lib/security/cacerts" "$WORK/rootfs/opt/java/openjdk/lib/security/cacerts"
cp -rL "$MAVEN_HOME" "$WORK/rootfs/usr/share/maven"
ln -s /usr/share/maven/bin/mvn "$WORK/rootfs/usr/bin/mvn"
tar -C "$WORK/rootfs" -c . | podman import -q "${IMPORT_ENV[@]}" --change 'ENV MAVEN_HOME=/usr/share/maven' - "$BUILD_IMAGE" >/dev/null
rm -rf "$WORK/rootfs"
SUMMARY+=("base images: $SUITE essential + jlink of $("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p') (runtime), + JDK and Maven (build)")

# --- 3. The image, from the project's Dockerfile ---------------------------------------------------------------------
# The machine's Maven repository, mounted as an overlay: the build finds what earlier runs downloaded and its own
# downloads are thrown away with the container. The Dockerfile itself knows nothing of it.
M2="${HOME}/.m2"
mkdir -p "$M2/repository"
# --layers=false: no intermediate images to clean up (the Maven repository above is the cache that matters here).
BUILD_OPTS=("${LIMITS[@]}" --layers=false
            --build-arg "BUILD_IMAGE=$BUILD_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE"
            -v "$M2:/root/.m2:O" -f Dockerfile)
say "podman build (Dockerfile, AppCDS on)"
tb=$(date +%s)
podman build "${BUILD_OPTS[@]}" -t "$APP_IMAGE" . > "$WORK/build.log" 2>&1 || { tail -50 "$WORK/build.log" >&2; fail "podman build"; }
tb=$(($(date +%s) - tb))
size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }
SUMMARY+=("image $(size "$APP_IMAGE") (its runtime base $(size "$RUNTIME_IMAGE")); build ${tb} s")
# The archive must really map on this JVM, or the comparison below compares nothing.
podman run --rm "${LIMITS[@]}" --entrypoint java "$APP_IMAGE" @/app/jvm.options -Xshare:on -cp /app/hellonet.jar -version > "$WORK/cds.log" 2>&1 \
  || { cat "$WORK/cds.log" >&2; fail "the AppCDS archive does not map (-Xshare:on)"; }

# --- 4. Run it like the Deployment -----------------------------------------------------------------------------------
DATA="$WORK/data"
mkdir -p "$DATA" && chown "$APP_UID:$APP_GID" "$DATA"   # fsGroup's job in the cluster

# start NAME VOLUME [ENTRYPOINT ARGS...]: runs the image like the Deployment; sets HP and AP to the host ports of
# hello and http.
start() {
  local name="$ID-$1" vol=$2
  shift 2
  local entry=()
  [ $# -gt 0 ] && entry=(--entrypoint "$1") && shift
  CONTAINERS+=("$name")
  podman run -d --name "$name" "${RUN_OPTS[@]}" "${OVERRIDES[@]}" -v "$vol:$DATA_MOUNT" "${entry[@]}" \
    --stop-timeout "$GRACE" -p "127.0.0.1::$HELLO_PORT" -p "127.0.0.1::$HTTP_PORT" "$APP_IMAGE" "$@" > /dev/null
  HP=$(podman port "$name" "$HELLO_PORT/tcp" | sed 's/.*://')
  AP=$(podman port "$name" "$HTTP_PORT/tcp" | sed 's/.*://')
}
# wait_ready NAME HTTP_PORT: milliseconds from now until /health/ready answers 200 (fails after 90 s).
wait_ready() {
  local t=$(date +%s%N) end=$(($(date +%s) + 90))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$2/health/ready")" = 200 ]; do
    [ "$(podman inspect --format '{{.State.Running}}' "$ID-$1")" = true ] || { podman logs "$ID-$1" >&2; fail "$1 exited before ready"; }
    [ "$(date +%s)" -lt "$end" ] || { podman logs "$ID-$1" >&2; fail "$1 not ready within 90 s"; }
    sleep 0.05
  done
  echo $((($(date +%s%N) - t) / 1000000))
}
# hello PORT CONNECTIONS REQUESTS ABOVE: pipelined requests on parallel connections; every reply must be
# "Hello World<N>", all N distinct, above ABOVE and not among the numbers in $SENT (to which they are added).
# Prints the highest N.
hello() {
  python3 - "$@" "$SENT" <<'PY'
import socket, sys, concurrent.futures, os
port, conns, reqs, above, sent = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
before = set(map(int, open(sent).read().split())) if os.path.exists(sent) else set()
def one(_):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"hi\n" * reqs)
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    return data.decode().splitlines()
with concurrent.futures.ThreadPoolExecutor(conns) as pool:
    lines = [l for batch in pool.map(one, range(conns)) for l in batch]
bad = [l for l in lines if not l.startswith("Hello World")]
nums = [int(l[len("Hello World"):]) for l in lines if l.startswith("Hello World")]
assert not bad, f"unexpected replies: {bad[:3]}"
assert len(nums) == conns * reqs, f"{len(nums)} replies to {conns * reqs} requests"
assert len(set(nums)) == len(nums), "a number was handed out twice"
assert min(nums) > above, f"number {min(nums)} not above {above}"
assert not before & set(nums), f"numbers sent before came again: {sorted(before & set(nums))[:5]}"
with open(sent, "a") as f:
    f.write("\n".join(map(str, nums)) + "\n")
print(max(nums))
PY
}

say "first container: $APP_IMAGE on a fresh data volume"
start first "$DATA"; HP1=$HP AP1=$AP
READY1=$(wait_ready first "$AP1")
say "ready after $READY1 ms"
SENT="$WORK/sent-numbers"
MAX1=$(hello "$HP1" 8 500 0) || fail "hello protocol (first container)"
TRANSPORT=$(curl -s --max-time 5 "http://127.0.0.1:$AP1/api/status" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["transport"])')
# Netty unpacks its native library into /tmp: epoll here shows the read-only root leaves it a usable /tmp.
[ "${TRANSPORT,,}" = epoll ] || fail "transport is $TRANSPORT, not epoll (is /tmp writable and exec?)"
PID=$(podman inspect --format '{{.State.Pid}}' "$ID-first")
RUNUID=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")
[ "$RUNUID" = "$APP_UID" ] || fail "the JVM runs as UID $RUNUID, not $APP_UID"
if [ "$READ_ONLY_ROOT" = true ]; then
  podman exec --user 0 "$ID-first" touch /probe 2>/dev/null && fail "the root filesystem is writable"
fi
SUMMARY+=("first: ready in $READY1 ms, 4000 distinct numbers on 8 connections (max $MAX1), transport $TRANSPORT, JVM as UID $RUNUID, root fs not writable even for root")

# SIGTERM while a client has requests in flight: it sends a batch, the stop begins, it sends more during the drain
# delay, half-closes and must get every reply.
say "podman stop (SIGTERM) with requests in flight; grace ${GRACE} s"
python3 - "$HP1" "$SENT" "$WORK/stopping" > "$WORK/inflight.out" 2> "$WORK/inflight.err" <<'PY' &
import socket, sys, time, os
port, sent, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
before = set(map(int, open(sent).read().split()))
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"hi\n" * 1000)
open(flag, "w").close()
time.sleep(1.0)                      # the stop has begun: readiness is off, the node still serves (drainDelayMs)
s.sendall(b"hi\n" * 1000)
s.shutdown(socket.SHUT_WR)
data = b""
while chunk := s.recv(65536):
    data += chunk
nums = [int(l[len("Hello World"):]) for l in data.decode().splitlines()]
assert len(nums) == 2000, f"{len(nums)} replies to 2000 requests"
assert len(set(nums)) == 2000, "a number came twice on the connection"
assert nums == sorted(nums), "numbers on one connection must increase"
assert not before & set(nums), "numbers sent before came again"
with open(sent, "a") as f:
    f.write("\n".join(map(str, nums)) + "\n")
print(max(nums))
PY
CLIENT=$!
for _ in $(seq 100); do [ -e "$WORK/stopping" ] && break; sleep 0.1; done
ts=$(date +%s%N)
podman stop -t "$GRACE" "$ID-first" > /dev/null
STOP_MS=$((($(date +%s%N) - ts) / 1000000))
wait "$CLIENT" || { cat "$WORK/inflight.err" >&2; fail "requests in flight during the stop were not all answered"; }
MAX_INFLIGHT=$(cat "$WORK/inflight.out")
EXIT1=$(podman inspect --format '{{.State.ExitCode}}' "$ID-first")
[ "$EXIT1" = 0 ] || { podman logs "$ID-first" | tail -20 >&2; fail "first container exited $EXIT1 after SIGTERM"; }
[ "$STOP_MS" -lt $((GRACE * 1000)) ] || fail "stop took $STOP_MS ms, over the ${GRACE} s grace period"
podman logs "$ID-first" > "$WORK/first.log" 2>&1
python3 - "$WORK/first.log" <<'PY' || fail "log lines of the first container are not all JSON (log.format=json)"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
for l in lines:
    json.loads(l)
assert any(json.loads(l)["message"] == "stopped cleanly" for l in lines), "no 'stopped cleanly'"
PY
SUMMARY+=("SIGTERM: exit 0 in $STOP_MS ms (grace ${GRACE} s), 2000 requests in flight all answered (max $MAX_INFLIGHT), every log line JSON")
MAX_SENT=$(sort -n "$SENT" | tail -1)

say "second container on the same data volume"
start second "$DATA"; HP2=$HP AP2=$AP
READY2=$(wait_ready second "$AP2")
MIN_CHECK=$(hello "$HP2" 4 250 "$MAX_SENT") || fail "the second container repeated or went below a number the first sent"
podman stop -t "$GRACE" "$ID-second" > /dev/null
[ "$(podman inspect --format '{{.State.ExitCode}}' "$ID-second")" = 0 ] || fail "second container did not exit 0"
SUMMARY+=("second: ready in $READY2 ms, 1000 numbers all above $MAX_SENT (max $MIN_CHECK), exit 0")

# --- 5. Start-up to ready, with and without the AppCDS archive ------------------------------------------------------
# "Without" is the same image started with the same flags less -XX:SharedArchiveFile (the JDK's own CDS stays on).
mapfile -t NOCDS_FLAGS < <(podman run --rm "${LIMITS[@]}" --entrypoint cat "$APP_IMAGE" /app/jvm.options | grep -v SharedArchiveFile)
say "start-up to ready, $STARTS runs each, alternating"
with=() without=()
for i in $(seq "$STARTS"); do
  for kind in cds nocds; do
    vol="$WORK/data-$kind-$i"; mkdir -p "$vol" && chown "$APP_UID:$APP_GID" "$vol"
    if [ "$kind" = cds ]; then start "$kind-$i" "$vol"; else start "$kind-$i" "$vol" java "${NOCDS_FLAGS[@]}" -jar /app/hellonet.jar; fi
    ms=$(wait_ready "$kind-$i" "$AP")
    if [ "$kind" = cds ]; then with+=("$ms"); else without+=("$ms"); fi
    podman rm -f -t 0 "$ID-$kind-$i" > /dev/null
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
SUMMARY+=("start-up to ready (podman run to /health/ready 200), median of $STARTS: AppCDS $(median "${with[@]}") ms [${with[*]}], without $(median "${without[@]}") ms [${without[*]}]")

RESULT=PASSED
