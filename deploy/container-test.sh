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

ID="hellonet-ct-$$"
WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
# shellcheck source=deploy/podman-lib.sh
. deploy/podman-lib.sh
pl_tools
CONTAINERS=()
RESULT=FAILED
SUMMARY=()

cleanup() {
  set +e
  for c in "${CONTAINERS[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
  # The build runs with --layers=false, so these are all the images it made.
  pl_remove_images
  pl_unmount_work
  if [ -n "${KEEP:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf --one-file-system "$WORK"; fi
  echo
  echo "== container test: $RESULT in $(($(date +%s) - T0)) s"
  for line in "${SUMMARY[@]}"; do echo "   $line"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. What the Deployment asks for -------------------------------------------------------------------------------
say "rendering k8s/ and reading the Deployment's settings"
pl_render k8s
python3 deploy/manifests.py container-env "$WORK"
# shellcheck disable=SC1091
. "$WORK/deployment.env"
[ "$RUN_AS_NON_ROOT" = true ] && [ -n "$APP_UID" ] && [ "$APP_UID" != 0 ] || fail "the Deployment must run as a non-root UID"
[ -n "${DATA_MOUNT:-}" ] || fail "the Deployment mounts no data volume"
[ "$SECCOMP" = RuntimeDefault ] || fail "seccompProfile must be RuntimeDefault (got '$SECCOMP')"
# The Deployment's settings as podman options (deploy/manifests.py), and the limits this machine allows.
mapfile -d '' -t RUN_OPTS < "$WORK/run-args"
RUN_OPTS+=("${LIMITS[@]}")
[ -n "$NOTES" ] && SUMMARY+=("not expressible here: $NOTES")
# A single container here has no PostgreSQL and no peers: say so and use what it can have.
OVERRIDES=()
if [ "$STORE" != file ]; then
  # The pods' createIfMissing=false is for their database row, which the init-sequence Job creates; the file here is new.
  OVERRIDES+=(-e HELLONET_SEQUENCE_STORE=file -e HELLONET_SEQUENCE_CREATEIFMISSING=true)
  SUMMARY+=("sequence.store $STORE replaced by file, created at the first start (no database for a single container here)")
fi
if [ "$CRAWL_STORE" != memory ]; then
  OVERRIDES+=(-e HELLONET_CRAWLER_STORE=memory)
  SUMMARY+=("crawler.store $CRAWL_STORE replaced by memory (no database for a single container here)")
fi
if [ "$CLUSTER" = true ]; then OVERRIDES+=(-e HELLONET_CLUSTER_ENABLED=false); SUMMARY+=("cluster.enabled replaced by false (no peers here)"); fi
SUMMARY+=("ran as $APP_UID:$APP_GID, read-only root=$READ_ONLY_ROOT, cap-drop=$CAP_DROP, no-new-privileges=$NO_PRIV_ESC, sysctls: $SYSCTLS, secrets stood in: $SECRETS")

# --- 2. Base images, offline, and 3. the image, from the project's Dockerfile ------------------------------------
pl_base_images
pl_build_app

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
