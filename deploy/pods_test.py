"""The pod harness's drills (run by deploy/pods-test.sh, which builds the images and renders the manifests).

Plays the parts of Kubernetes that podman lacks, from the rendered objects: a ReplicaSet (pods started and stopped as
the Deployment's strategy says), a kubelet (startup, readiness and liveness probes at the manifest's periods,
timeouts and thresholds; preStop, then SIGTERM within the grace period), an endpoints controller (the hello and HTTP
Services are the addresses of the pods whose readiness passes, and of no other), and cluster DNS (a headless Service is
a network alias carried by every pod it selects). The load clients run here, on the host, and talk only to addresses
on the network the harness created.

    python3 deploy/pods_test.py WORK NETWORK APP_IMAGE PG_IMAGE LIMITS_JSON DEADLINE_EPOCH
"""
import http.client
import ipaddress
import json
import os
import pathlib
import random
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifests as mf  # noqa: E402

T0 = time.time()


def log(msg):
    print(f"[pods-test {time.time() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def podman(*args, timeout=120, check=True):
    r = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])}...: {r.stderr.strip()[-500:]}")
    return r.stdout.strip()


def fmt(fails):
    """Failed requests for the table: when (seconds into the run), to which pod, what, why."""
    return "; ".join(f"{t - T0:.0f}s {pod} {what}: {why[:100]}" for t, pod, what, why in fails)


def host_of(row):
    """The pod name of a row of /api/counters' cluster.nodes ("pid@host"); None for a row with no figures yet (an
    unreachable member that never published)."""
    node = row.get("node")
    return node.split("@", 1)[-1] if node else None


class DrillFailed(Exception):
    pass


class Pod:
    """One pod: its container, its address, and what the kubelet knows of it."""

    def __init__(self, h, kind, name, run, image, aliases):
        self.h, self.kind, self.name, self.run, self.image = h, kind, name, run, image
        self.ip, self.aliases = run.ip, aliases
        self.container = f"{h.net}-{name}"
        self.ready = False           # the last readiness verdict (the endpoints controller reads it)
        self.terminating = False     # a stop has begun: out of the endpoints at once
        self.dead = False            # the container is gone (killed, exited)
        self.started_at = None
        self.ready_at = None         # first time the kubelet-like prober saw it ready
        self.first_200_at = None     # first 200 of the readiness path, polled fast (the start-up figure)
        self.transitions = []        # (time, ready, probe body)
        self.restarts = 0
        self.prober = None

    def start(self):
        label = ["--label", f"hellonet-pods-test={self.h.net}"]
        net = ["--network", self.h.net, "--ip", self.ip]
        for a in self.aliases:
            net += ["--network-alias", a]
        args = list(self.run.args)
        if self.kind == "postgres":
            # A pod's network namespace belongs to its sandbox, not to its container: when the container dies and the
            # kubelet starts it again, the address stays, and clients get refused connections (RST) meanwhile rather
            # than silence. A sleeping container holds the namespace here (a podman pod's infra container would need
            # a runtime and limits podman pod create does not take); the postgres container joins it.
            sandbox = f"{self.container}-sandbox"
            sysctls, rest, i = [], [], 0
            while i < len(args):
                if args[i] in ("--sysctl", "--hostname"):
                    if args[i] == "--sysctl":
                        sysctls += args[i:i + 2]
                    i += 2
                    continue
                rest.append(args[i])
                i += 1
            podman("run", "-d", "--name", sandbox, *label, *net, "--hostname", self.name, *sysctls, *self.h.limits,
                   "--entrypoint", "sleep", self.image, "infinity")
            self.h.containers.append(sandbox)
            net, args = ["--network", f"container:{sandbox}"], rest
        self.started_at = time.time()
        podman("run", "-d", "--name", self.container, *label, *net, *self.h.limits, *args,
               "--stop-timeout", str(self.run.grace), self.image, *self.run.cmd_args)
        self.h.containers.append(self.container)
        self.prober = Prober(self)
        self.prober.start()

    def running(self):
        return podman("inspect", "--format", "{{.State.Running}}", self.container, check=False) == "true"

    def exit_code(self):
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.container))


def probe_once(pod, probe):
    """One probe as the kubelet runs it: True on success."""
    timeout = probe.get("timeoutSeconds", 1)
    try:
        if "httpGet" in probe:
            g = probe["httpGet"]
            c = http.client.HTTPConnection(pod.ip, pod.run.port(g["port"]), timeout=timeout)
            try:
                c.request("GET", g.get("path", "/"))
                r = c.getresponse()
                body = r.read(2000).decode(errors="replace")
                return 200 <= r.status < 400, f"{r.status} {body}"
            finally:
                c.close()
        if "exec" in probe:
            r = subprocess.run(["podman", "exec", pod.container, *probe["exec"]["command"]], capture_output=True,
                               text=True, timeout=timeout + 5)
            return r.returncode == 0, (r.stdout + r.stderr)[-300:]
        if "tcpSocket" in probe:
            socket.create_connection((pod.ip, pod.run.port(probe["tcpSocket"]["port"])), timeout=timeout).close()
            return True, "connected"
        if "grpc" in probe:
            return False, "grpc probes are not supported here"
    except Exception as e:  # a timeout, a refused connection: a failed probe
        return False, repr(e)
    return False, "unknown probe type"


class Prober(threading.Thread):
    """The kubelet's prober for one pod: startup first, then readiness and liveness, each at its own period; a liveness
    (or startup) verdict of failure restarts the container in place, as restartPolicy Always does."""

    def __init__(self, pod):
        super().__init__(daemon=True)
        self.pod = pod

    def run(self):
        pod, probes = self.pod, self.pod.run.probes
        start = probes.get("startupProbe")
        ready = probes.get("readinessProbe")
        live = probes.get("livenessProbe")
        fast = threading.Thread(target=self.first_200, args=(ready,), daemon=True)
        fast.start()
        while not pod.h.stopping and not pod.dead:
            t = time.time()
            if start:
                if not self.until(start, lambda ok: ok, success=True):
                    if pod.dead or pod.h.stopping:
                        return
                    self.restart("startup probe failed")
                    continue
            # After start-up: readiness and liveness interleaved at their periods.
            next_r = next_l = time.time() + (ready or {}).get("initialDelaySeconds", 0)
            fails_r = fails_l = 0
            succ_r = 0
            while not pod.h.stopping and not pod.dead:
                now = time.time()
                if ready and now >= next_r:
                    ok, body = probe_once(pod, ready)
                    next_r = now + ready.get("periodSeconds", 10)
                    if ok:
                        fails_r, succ_r = 0, succ_r + 1
                        if not pod.ready and succ_r >= ready.get("successThreshold", 1):
                            self.set_ready(True, body)
                    else:
                        succ_r, fails_r = 0, fails_r + 1
                        if pod.ready and fails_r >= ready.get("failureThreshold", 3):
                            self.set_ready(False, body)
                        pod.last_fail_body = body
                if live and now >= next_l:
                    ok, body = probe_once(pod, live)
                    next_l = now + live.get("periodSeconds", 10)
                    fails_l = 0 if ok else fails_l + 1
                    if fails_l >= live.get("failureThreshold", 3):
                        self.restart(f"liveness failed: {body[:200]}")
                        break
                if not ready:
                    self.set_ready(True, "no readiness probe")
                time.sleep(0.05)
            else:
                return
            del t

    def until(self, probe, _, success):
        """Runs a startup probe until it succeeds (True) or its failure threshold is reached (False)."""
        pod, fails = self.pod, 0
        time.sleep(probe.get("initialDelaySeconds", 0))
        while not pod.h.stopping and not pod.dead:
            ok, _body = probe_once(pod, probe)
            if ok:
                return True
            fails += 1
            if fails >= probe.get("failureThreshold", 3):
                return False
            time.sleep(probe.get("periodSeconds", 10))
        return False

    def first_200(self, ready):
        """The start-up figure only (never the endpoints): the first 200 of the readiness path, polled every 100 ms."""
        pod = self.pod
        if not ready or "httpGet" not in ready:
            return
        end = time.time() + 180
        while time.time() < end and not pod.dead and not pod.h.stopping and pod.first_200_at is None:
            ok, _ = probe_once(pod, {"httpGet": ready["httpGet"], "timeoutSeconds": 1})
            if ok:
                pod.first_200_at = time.time()
                return
            time.sleep(0.1)

    def set_ready(self, value, body):
        pod = self.pod
        if value and pod.ready_at is None:
            pod.ready_at = time.time()
        if pod.ready != value:
            pod.transitions.append((time.time(), value, body))
            log(f"{pod.name} {'ready' if value else 'NOT ready'}{'' if value else ': ' + body[:300]}")
        pod.ready = value

    def restart(self, why):
        pod = self.pod
        log(f"{pod.name}: restarting the container ({why})")
        self.set_ready(False, why)
        pod.restarts += 1
        podman("restart", "-t", str(pod.run.grace), pod.container, check=False, timeout=pod.run.grace + 30)


class Load:
    """TCP clients spread over the hello Service's endpoints, and HTTP reads over the HTTP Service's; every number any
    client got, so that a repeat anywhere in the run is seen."""

    def __init__(self, h, tcp_clients=4, per_conn=50, conn_per_s=15):
        # Every client here has the host's one address, and the node limits new connections per address
        # (protection.newConnectionsPerSecond): each client opens at most conn_per_s a second, so that the sum stays
        # under the limit on any one pod.
        self.h, self.per_conn, self.gap = h, per_conn, 1.0 / conn_per_s
        self.lock = threading.Lock()
        self.numbers = {}
        self.dups = []
        self.replies = 0             # every reply line clients read (numbers and ERR lines)
        self.err_replies = 0
        self.failures = []           # (time, pod, what, reason)
        self.http_ok = 0
        self.inflight = 0
        self.paused = False
        self.threads = [threading.Thread(target=self.tcp, args=(i,), daemon=True) for i in range(tcp_clients)]
        self.threads.append(threading.Thread(target=self.http, daemon=True))

    def start(self):
        for t in self.threads:
            t.start()

    def pick(self, i):
        eps = self.h.endpoints()
        return eps[i % len(eps)] if eps else None

    def fail(self, pod, what, reason):
        with self.lock:
            self.failures.append((time.time(), pod.name, what, reason))
        log(f"request failed: {what} to {pod.name}: {reason[:200]}")

    def tcp(self, k):
        i, last = k, 0.0
        while not self.h.stopping:
            if self.paused:
                time.sleep(0.05)
                continue
            time.sleep(max(0.0, last + self.gap - time.time()))
            pod = self.pick(i)
            i += 1
            if pod is None:
                time.sleep(0.05)
                continue
            last = time.time()
            port = pod.run.ports["hello"]
            self.h.check_address(pod.ip)
            with self.lock:
                self.inflight += 1
            stage = "connect"
            try:
                s = socket.create_connection((pod.ip, port), timeout=3)
                stage = "read"
                try:
                    s.sendall(b"hello\n" * self.per_conn)
                    s.shutdown(socket.SHUT_WR)
                    data = b""
                    while chunk := s.recv(65536):
                        data += chunk
                finally:
                    s.close()
                lines = data.decode(errors="replace").splitlines()
                nums, errs, other = [], 0, []
                for line in lines:
                    if line.startswith("Hello World"):
                        nums.append(int(line[len("Hello World"):]))
                    elif line.startswith("ERR"):
                        errs += 1
                    else:
                        other.append(line)
                with self.lock:
                    self.replies += len(lines)
                    self.err_replies += errs
                    for n in nums:
                        if n in self.numbers:
                            self.dups.append((n, self.numbers[n], pod.name, self.h.drill_name))
                        else:
                            self.numbers[n] = pod.name
                if len(lines) != self.per_conn or other:
                    self.fail(pod, "tcp", f"{len(lines)} replies to {self.per_conn} requests {other[:2]}")
            except OSError as e:
                self.fail(pod, "tcp", f"{stage}: {e!r}")
            finally:
                with self.lock:
                    self.inflight -= 1

    def http(self):
        i = 0
        while not self.h.stopping:
            if self.paused:
                time.sleep(0.05)
                continue
            for path in ("/api/counters", "/api/status", "/api/crawls"):
                pod = self.pick(i)
                i += 1
                if pod is None:
                    break
                with self.lock:
                    self.inflight += 1
                try:
                    status, body = self.h.get(pod, path, timeout=5)
                    if status != 200:
                        self.fail(pod, f"GET {path}", f"{status} {body[:200]}")
                    else:
                        with self.lock:
                            self.http_ok += 1
                except OSError as e:
                    self.fail(pod, f"GET {path}", repr(e))
                finally:
                    with self.lock:
                        self.inflight -= 1
            time.sleep(0.2)

    def pause(self):
        self.paused = True
        end = time.time() + 15
        while self.inflight and time.time() < end:
            time.sleep(0.02)

    def resume(self):
        self.paused = False

    def failures_since(self, t, exclude=()):
        with self.lock:
            return [f for f in self.failures if f[0] >= t and f[1] not in exclude]


class Harness:
    def __init__(self, work, net, app_image, pg_image, limits, deadline):
        self.work, self.net = pathlib.Path(work), net
        self.app_image, self.pg_image, self.limits, self.deadline = app_image, pg_image, limits, deadline
        self.items = mf.load(self.work / "rendered-k8s.json") + mf.load(self.work / "rendered-postgres.json")
        self.containers = []
        self.pods = []
        self.stopping = False
        self.drill_name = "bring-up"
        self.notes = []
        self.rows = []
        subnet = podman("network", "inspect", net, "--format", "{{range .Subnets}}{{.Subnet}}{{end}}")
        self.subnet = ipaddress.ip_network(subnet)
        self.next_ip = 10
        self.serial = 0
        self.dep = mf.find(self.items, "Deployment")[0]
        self.sts = mf.find(self.items, "StatefulSet")
        services = mf.find(self.items, "Service")
        self.secrets = mf.Secrets(self.items, self.work, [s["metadata"]["name"] for s in services])
        self.services = services
        for sv in services:
            if sv["spec"].get("clusterIP") != "None":
                self.notes.append(f"Service {sv['metadata']['name']} ({sv['spec'].get('type', 'ClusterIP')}): no virtual "
                                  "IP or kube-proxy; the harness's clients use the addresses of the ready pods it "
                                  "selects, and pods cannot reach it by name")
        for kind, why in [("NetworkPolicy", "not enforced (no CNI policy engine); the network is --internal"),
                          ("HorizontalPodAutoscaler", "no metrics server; drill 7 scales by hand"),
                          ("PodDisruptionBudget", "no evictions here; the drills disturb one pod at a time")]:
            names = [o["metadata"]["name"] for o in mf.find(self.items, kind)]
            if names:
                self.notes.append(f"{kind} {', '.join(names)}: {why}")
        self.notes.append("probes and the preStop hook run from the host (httpGet to the pod's address, exec through "
                          "podman exec), as a kubelet would; seccomp RuntimeDefault is podman's default profile")
        self.load = None
        self.load_t0 = time.time()
        self.pg = None

    # --- the parts of Kubernetes played here ---------------------------------------------------------------------
    def check_address(self, ip):
        if ipaddress.ip_address(ip) not in self.subnet:
            raise SystemExit(f"refusing to send to {ip}: not on the harness's network {self.subnet}")

    def alloc_ip(self):
        ip = str(self.subnet.network_address + self.next_ip)
        self.next_ip += 1
        return ip

    def aliases_for(self, workload):
        """Headless Services selecting this workload's pods: their names resolve to every such pod (cluster DNS).
        Services with a virtual IP have no stand-in; the harness plays their endpoints for its own clients."""
        labels = workload["spec"]["template"]["metadata"].get("labels", {})
        out = []
        for s in self.services:
            sel = s["spec"].get("selector", {})
            if sel and all(labels.get(k) == v for k, v in sel.items()) and s["spec"].get("clusterIP") == "None":
                out.append(s["metadata"]["name"])
        return out

    def image_for(self, container):
        name = container["image"].split("/")[-1]
        if name.startswith("hellonet"):
            return self.app_image
        if name.startswith("postgres"):
            return self.pg_image
        raise SystemExit(f"no image here for {container['image']}")

    def new_pod(self, workload, kind, volume_dirs=None, name=None):
        self.serial += 1
        name = name or f"{workload['metadata']['name']}-{self.serial}"
        ip = self.alloc_ip()
        run = mf.PodRun(self.items, workload, self.work, name, ip, self.secrets, volume_dirs=volume_dirs)
        for n in run.notes:
            note = f"{workload['kind']} {workload['metadata']['name']}: {n}"
            if note not in self.notes:
                self.notes.append(note)
        pod = Pod(self, kind, name, run, self.image_for(run.container), self.aliases_for(workload))
        pod.start()
        if kind == "hellonet":
            self.pods.append(pod)
        return pod

    def endpoints(self):
        return [p for p in self.pods if p.ready and not p.terminating and not p.dead]

    def get(self, pod, path, timeout=3):
        self.check_address(pod.ip)
        c = http.client.HTTPConnection(pod.ip, pod.run.ports["http"], timeout=timeout)
        try:
            token = pod.run.env.get("HELLONET_API_TOKEN")
            c.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
            r = c.getresponse()
            return r.status, r.read().decode(errors="replace")
        finally:
            c.close()

    def counters(self, pod):
        status, body = self.get(pod, "/api/counters", timeout=5)
        if status != 200:
            raise OSError(f"/api/counters: {status}")
        return json.loads(body)

    def stop_pod(self, pod):
        """What deleting a pod does: out of the endpoints at once, the preStop hook, then SIGTERM with what is left of
        the grace period (podman stop: SIGTERM, SIGKILL at the end). Returns (seconds, exit code)."""
        pod.terminating = True
        t = time.time()
        hook = pod.run.pre_stop
        if hook and "exec" in hook:
            subprocess.run(["podman", "exec", pod.container, *hook["exec"]["command"]], capture_output=True,
                           timeout=pod.run.grace)
        elif hook and "httpGet" in hook:
            try:
                probe_once(pod, {"httpGet": hook["httpGet"], "timeoutSeconds": pod.run.grace})
            except Exception:
                pass
        elif hook and "sleep" in hook:
            time.sleep(hook["sleep"]["seconds"])
        left = max(1, int(pod.run.grace - (time.time() - t)))
        podman("stop", "-t", str(left), pod.container, timeout=left + 30)
        took = time.time() - t
        pod.dead = True
        code = pod.exit_code()
        log(f"{pod.name} stopped in {took:.1f} s, exit {code}")
        return took, code

    def kill_pod(self, pod, signal="KILL"):
        podman("kill", "-s", signal, pod.container)
        if signal == "KILL":
            pod.dead = True          # the kubelet sees the container exit: out of the endpoints
            pod.ready = False

    def wait(self, what, cond, timeout, step=0.2):
        end = min(time.time() + timeout, self.deadline)
        while time.time() < end:
            try:
                v = cond()
            except (OSError, ValueError, KeyError):   # a pod not answering yet is "not yet"
                v = False
            if v:
                return v
            time.sleep(step)
        raise DrillFailed(f"{what}: not within {timeout:.0f} s" + (" (the run's deadline)" if time.time() >= self.deadline else ""))

    def live_view(self, pod):
        """(live hosts, rows) from one pod's /api/counters."""
        c = self.counters(pod)
        rows = c.get("cluster", {}).get("nodes", [])
        live = sorted(host_of(r) for r in rows if r.get("state") == "live")
        return live, rows, c

    def converged(self, expect):
        """Every running pod lists exactly the expected pods as live."""
        want = sorted(p.name for p in expect)
        for p in expect:
            try:
                live, _, _ = self.live_view(p)
            except (OSError, ValueError):
                return False
            if live != want:
                return False
        return True

    def cluster_replies(self, pod):
        c = self.counters(pod)
        live = c["hello"]["total"]["replies"]
        departed = c.get("cluster", {}).get("departed", {}).get("hello", {}).get("total", {}).get("replies", 0)
        return live + departed, c

    def quiet_totals(self, pod):
        """Clients' replies and the cluster's, with the load paused (nothing in flight)."""
        self.load.pause()
        time.sleep(0.3)
        try:
            cl, c = self.cluster_replies(pod)
            return self.load.replies, cl, c
        finally:
            self.load.resume()

    def pgready(self):
        ok, _ = probe_once(self.pg, self.pg.run.probes["readinessProbe"])
        return ok

    # --- drills ---------------------------------------------------------------------------------------------------
    def row(self, drill, checked, figures, ok, detail=""):
        self.rows.append((drill, checked, figures, "PASS" if ok else "FAIL", detail))
        log(f"drill {drill}: {'PASS' if ok else 'FAIL'} {figures} {detail}")

    def drill(self, name, checked, fn):
        if time.time() > self.deadline - 30:
            self.rows.append((name, checked, "", "SKIP", "the run's time budget is spent"))
            return
        self.drill_name = name
        dups0 = len(self.load.dups) if self.load else 0
        t0 = time.time()
        try:
            figures, problems = fn()
        except DrillFailed as e:
            figures, problems = "", [str(e)]
        except Exception as e:  # the harness's own failure is the drill's failure, named
            figures, problems = "", [f"{type(e).__name__}: {e}"]
        if self.load:
            d = self.load.dups[dups0:]
            if d:
                problems.append(f"{len(d)} numbers repeated, e.g. {d[:3]}")
        dt = time.time() - t0
        figures = (figures + "; " if figures else "") + f"{dt:.0f} s"
        self.row(name, checked, figures, not problems, "; ".join(problems))

    def bring_up(self):
        problems = []
        # PostgreSQL: the StatefulSet's pod, its claim a directory that outlives the container.
        sts = self.sts[0] if self.sts else None
        if sts is None:
            raise DrillFailed("no StatefulSet for PostgreSQL in the rendered k8s/postgres")
        claims = {t["metadata"]["name"]: str(self.work / "claims" / t["metadata"]["name"])
                  for t in sts["spec"].get("volumeClaimTemplates", [])}
        self.pg = self.new_pod(sts, "postgres", volume_dirs=claims, name=f"{sts['metadata']['name']}-0")
        self.wait("PostgreSQL ready", self.pgready, 90, step=1)
        env = self.pg.run.env
        fsync = podman("exec", self.pg.container, "psql", "-tA", "-U", env.get("POSTGRES_USER", "postgres"),
                       "-d", env.get("POSTGRES_DB", "postgres"), "-c", "SHOW fsync")
        if fsync != "on":
            problems.append(f"PostgreSQL fsync is {fsync}")
        # A Job that prepares the store (the sequence) runs once, to completion, before the pods.
        jobs = mf.find(self.items, "Job")
        if jobs:
            for job in jobs:
                jp = self.new_pod(job, "job")
                self.wait(f"Job {job['metadata']['name']}", lambda: not jp.running(), 120, step=0.5)
                code = jp.exit_code()
                jp.dead = True
                if code != 0:
                    problems.append(f"Job {job['metadata']['name']} exited {code}: "
                                    + podman("logs", jp.container, check=False)[-300:])
            self.notes.append(f"Jobs run once before the pods: {', '.join(j['metadata']['name'] for j in jobs)}")
        else:
            self.notes.append("no Job in the rendered objects: the sequence is created as k8s/config.json says "
                              "(sequence.createIfMissing), not by a deliberate step")
        replicas = self.dep["spec"].get("replicas", 1)
        pods = [self.new_pod(self.dep, "hellonet") for _ in range(replicas)]
        self.wait(f"{replicas} pods ready", lambda: all(p.ready for p in pods), 180)
        self.load = Load(self)
        self.load_t0 = time.time()
        self.load.start()
        t = time.time()
        self.wait(f"/api/counters on every pod lists {replicas} live nodes", lambda: self.converged(pods), 60, step=0.5)
        joined = time.time() - min(p.started_at for p in pods)
        time.sleep(3)
        if self.load.failures:
            problems.append(f"{len(self.load.failures)} failed requests: {fmt(self.load.failures[:2])}")
        ready = [p.first_200_at - p.started_at for p in pods]
        kubelet = [p.ready_at - p.started_at for p in pods]
        del t
        self.startup = ready
        return (f"start-up to ready {min(ready):.1f}-{max(ready):.1f} s (first 200, cold, AppCDS); by the probe's "
                f"period {max(kubelet):.1f} s; {replicas} live in every view {joined:.1f} s after start"), problems

    def joined_after(self, pod, others, timeout=90):
        """Seconds from the pod's start until another pod's /api/counters lists it live."""
        def seen():
            for o in others:
                try:
                    if pod.name in self.live_view(o)[0]:
                        return True
                except (OSError, ValueError):
                    pass
            return False
        self.wait(f"{pod.name} listed live", seen, timeout, step=0.25)
        return time.time() - pod.started_at

    def rolling_update(self):
        problems = []
        strat = self.dep["spec"].get("strategy", {}).get("rollingUpdate", {})
        surge, unavail = strat.get("maxSurge", 1), strat.get("maxUnavailable", 0)
        if (surge, unavail) != (1, 0):
            self.notes.append(f"rolling update played as maxSurge 1/maxUnavailable 0; the Deployment says {surge}/{unavail}")
        old = [p for p in self.pods if not p.dead and not p.terminating]
        want = len(old)
        c0, cl0, _ = self.quiet_totals(old[0])
        t0 = time.time()
        min_eps = [want]
        stop_watch = threading.Event()

        def watch():
            while not stop_watch.is_set():
                min_eps[0] = min(min_eps[0], len(self.endpoints()))
                time.sleep(0.05)
        threading.Thread(target=watch, daemon=True).start()
        stops, threads, joins, readies = [], [], [], []
        for o in old:
            n = self.new_pod(self.dep, "hellonet")
            self.wait(f"{n.name} ready", lambda: n.ready, 150)
            readies.append(n.first_200_at - n.started_at if n.first_200_at else n.ready_at - n.started_at)
            alive = [p for p in self.pods if not p.dead and not p.terminating and p is not n]
            joins.append(self.joined_after(n, alive))

            def stop(o=o):
                stops.append((o.name,) + self.stop_pod(o))
            th = threading.Thread(target=stop)
            th.start()
            threads.append(th)
        for th in threads:
            th.join(timeout=max(1, self.deadline - time.time()))
        rollout = time.time() - t0
        stop_watch.set()
        for name, took, code in stops:
            if code != 0:
                problems.append(f"{name} exited {code}")
            if took >= old[0].run.grace:
                problems.append(f"{name} took {took:.1f} s, not within the {old[0].run.grace} s grace period")
        if len(stops) != len(old):
            problems.append(f"{len(old) - len(stops)} old pods did not stop")
        if min_eps[0] < want:
            problems.append(f"ready endpoints fell to {min_eps[0]} (maxUnavailable 0 keeps {want})")
        fails = self.load.failures_since(t0)
        if fails:
            problems.append(f"{len(fails)} failed requests to ready pods: {fmt(fails[:2])}")
        new = [p for p in self.pods if not p.dead and not p.terminating]
        self.wait("the new pods' views agree", lambda: self.converged(new), 60, step=0.5)
        c1, cl1, c = self.quiet_totals(new[0])
        if c1 - c0 != cl1 - cl0:
            problems.append(f"counters not exact: clients got {c1 - c0} replies, the cluster counted {cl1 - cl0}")
        rows = c["cluster"]["nodes"]
        for o in old:
            r = [x for x in rows if host_of(x) == o.name]
            if not r or r[0].get("state") != "departed" or r[0].get("final") is not True:
                problems.append(f"{o.name} is not departed with final: true ({r[:1]})")
        rate = (c1 - c0) / rollout
        return (f"rollout {rollout:.0f} s; new pods ready {min(readies):.1f}-{max(readies):.1f} s, joined "
                f"{min(joins):.1f}-{max(joins):.1f} s after start; stops {', '.join(f'{t:.1f} s' for _, t, _ in stops)}"
                f" exit {', '.join(str(c) for _, _, c in stops)}; {c1 - c0} replies ({rate:.0f}/s), "
                f"{len(self.load.numbers)} numbers in the run"), problems

    def running_pods(self):
        return [p for p in self.pods if not p.dead and not p.terminating]

    def pod_killed(self):
        problems = []
        pods = self.running_pods()
        victim = pods[0]
        others = pods[1:]
        t0 = time.time()
        self.kill_pod(victim)
        view_errors = []

        def out_of_sums():
            for o in others:
                try:
                    if victim.name in self.live_view(o)[0]:
                        return False
                except (OSError, ValueError) as e:
                    view_errors.append(f"{o.name}: {e!r}"[:120])
                    return False
            return time.time()
        left_sums = self.wait("the killed pod out of the sums", out_of_sums, 30, step=0.1) - t0

        def departed():
            _, rows, _ = self.live_view(others[0])
            return any(host_of(r) == victim.name and r.get("state") == "departed" for r in rows)
        self.wait("the killed pod departed", departed, 30, step=0.2)
        left_members = time.time() - t0
        if left_sums > 2.0 + 1.0:
            problems.append(f"out of the sums after {left_sums:.1f} s (documented: within 2 s); meanwhile "
                            f"{len(view_errors)} /api/counters calls failed, e.g. {view_errors[:2]}")
        if left_members > 11 + 2:
            problems.append(f"departed after {left_members:.1f} s (documented: at most 10 s plus a heartbeat)")
        self.notes.append("drill 3: the killed pod's address goes with its container (as when the pod is deleted or "
                          "its host is lost), so peers see silence, not refused connections; a replacement pod with a "
                          "new address follows, not a restart in place")
        n = self.new_pod(self.dep, "hellonet")
        self.wait(f"{n.name} ready", lambda: n.ready, 150)
        joined = self.joined_after(n, others)
        time.sleep(2)
        fails = self.load.failures_since(t0, exclude={victim.name})
        if fails:
            problems.append(f"{len(fails)} failed requests to the other pods: {fmt(fails[:2])}")
        podman("rm", "-f", victim.container, check=False)
        return (f"out of the sums {left_sums:.1f} s, departed {left_members:.1f} s after SIGKILL; replacement ready "
                f"{n.ready_at - n.started_at:.1f} s, joined {joined:.1f} s"), problems

    def pod_frozen(self, seconds=20):
        problems = []
        pods = self.running_pods()
        victim = pods[-1]
        others = [p for p in pods if p is not victim]
        t0 = time.time()
        self.kill_pod(victim, "STOP")
        time.sleep(seconds)
        podman("kill", "-s", "CONT", victim.container)
        t1 = time.time()
        dropped = [(p.name, round(t - t0, 1), b[:160]) for p in others for (t, v, b) in p.transitions
                   if t >= t0 and not v]
        if dropped:
            problems.append(f"other pods turned unready while one was frozen: {dropped[:3]}")
        fails = self.load.failures_since(t0, exclude={victim.name})
        if fails:
            problems.append(f"{len(fails)} failed requests to the other pods: {fmt(fails[:3])}")
        # A failing readiness check answers 503 (Service Unavailable), never 500.
        statuses = sorted({b.split(" ", 1)[0] for p in pods for (t, v, b) in p.transitions
                           if t >= t0 and not v and b[:3].isdigit()})
        if any(x != "503" for x in statuses):
            problems.append(f"readiness failed with HTTP {', '.join(statuses)}, not 503")
        vt = [round(t - t0, 1) for (t, v, _) in victim.transitions if t >= t0 and not v]
        try:
            self.wait("the frozen pod back, every view agreeing", lambda: victim.ready and self.converged(pods), 90,
                      step=0.5)
            back = f"back and agreed {time.time() - t1:.1f} s after SIGCONT"
        except DrillFailed as e:
            problems.append(str(e))
            back = "did not come back"
        return (f"frozen {seconds} s; it left the endpoints after {vt[0] if vt else '-'} s; {back}; "
                f"{len(fails)} failures elsewhere"), problems

    def postgres_killed(self, seconds=10):
        problems = []
        t0 = time.time()
        err0 = self.load.err_replies
        podman("kill", "-s", "KILL", self.pg.container)
        time.sleep(seconds)
        podman("start", self.pg.container)
        self.wait("PostgreSQL ready again", self.pgready, 60, step=0.5)
        t1 = time.time()
        pods = self.running_pods()
        self.wait("every pod ready again", lambda: all(p.ready for p in pods), 60)
        unready = [(p.name, round(t - t0, 1), b) for p in pods for (t, v, b) in p.transitions if t >= t0 and not v]
        bad = [u for u in unready if "no numbers left" not in u[2]]
        if bad:
            problems.append(f"pods unready for another reason than no numbers left: {[(n, t, b[:200]) for n, t, b in bad][:2]}")
        fails = [f for f in self.load.failures_since(t0)]
        if fails:
            problems.append(f"{len(fails)} failed requests: {fmt(fails[:2])}")
        return (f"down {seconds} s; ready again {time.time() - t1:.1f} s after it; {len(unready)} unready "
                f"transitions (out of numbers); {self.load.err_replies - err0} ERR unavailable replies"), problems

    def network_cut(self, seconds=20):
        problems = []
        pods = self.running_pods()
        victim = pods[1]
        others = [p for p in pods if p is not victim]
        t0 = time.time()
        podman("network", "disconnect", self.net, victim.container)
        time.sleep(seconds)
        args = ["network", "connect", "--ip", victim.ip]
        for a in victim.aliases:
            args += ["--alias", a]
        podman(*args, self.net, victim.container)
        t1 = time.time()
        fails = self.load.failures_since(t0, exclude={victim.name})
        if fails:
            problems.append(f"{len(fails)} failed requests to the other pods: {fmt(fails[:3])}")
        dropped = [(p.name, round(t - t0, 1)) for p in others for (t, v, _) in p.transitions if t >= t0 and not v]
        if dropped:
            problems.append(f"other pods turned unready: {dropped[:3]}")
        try:
            self.wait("one membership again", lambda: victim.ready and self.converged(self.running_pods()), 120,
                      step=0.5)
            healed = time.time() - t1
            _, rows, _ = self.live_view(others[0])
            mine = [r for r in rows if host_of(r) == victim.name]
            live = [r for r in mine if r.get("state") == "live"]
            if len(live) != 1 or any(r["id"] == live[0]["id"] for r in mine if r.get("state") != "live"):
                problems.append(f"{victim.name} is not counted exactly once: {[(r['id'], r['state']) for r in mine]}")
            heal = f"healed {healed:.1f} s after reconnect; its rows {[r['state'] for r in mine]}"
        except DrillFailed as e:
            problems.append(str(e))
            heal = "did not heal"
        return f"cut {seconds} s; {heal}; restarts {victim.restarts}", problems

    def scale(self):
        problems = []
        base = self.running_pods()
        c0, cl0, _ = self.quiet_totals(base[0])
        t0 = time.time()
        new = [self.new_pod(self.dep, "hellonet") for _ in range(2)]
        self.wait("two new pods ready", lambda: all(p.ready for p in new), 150)
        self.wait("5 live in every view", lambda: self.converged(base + new), 60, step=0.5)
        up = time.time() - t0
        t1 = time.time()
        res = []
        ths = [threading.Thread(target=lambda p=p: res.append((p.name,) + self.stop_pod(p))) for p in new]
        for th in ths:
            th.start()
        for th in ths:
            th.join(timeout=max(1, self.deadline - time.time()))
        down = time.time() - t1
        for name, took, code in res:
            if code != 0 or took >= new[0].run.grace:
                problems.append(f"{name}: exit {code} after {took:.1f} s")
        self.wait("3 live in every view", lambda: self.converged(base), 60, step=0.5)
        fails = self.load.failures_since(t0)
        if fails:
            problems.append(f"{len(fails)} failed requests: {fmt(fails[:2])}")
        c1, cl1, c = self.quiet_totals(base[0])
        if c1 - c0 != cl1 - cl0:
            problems.append(f"counters not exact: clients got {c1 - c0} replies, the cluster counted {cl1 - cl0}")
        rows = c["cluster"]["nodes"]
        for p in new:
            r = [x for x in rows if host_of(x) == p.name]
            if not r or r[0].get("final") is not True:
                problems.append(f"{p.name} not departed with final: true")
        return f"3→5 in {up:.0f} s, 5→3 in {down:.0f} s; {c1 - c0} replies counted exactly", problems

    def summary_load(self):
        l = self.load
        if not l:
            return
        span = time.time() - self.load_t0
        self.rows.append(("whole run", "every number unique; one reply per request",
                          f"{len(l.numbers)} numbers, {l.replies / span:.0f} replies/s over {span:.0f} s, "
                          f"{l.http_ok} HTTP reads, {l.err_replies} ERR replies, {len(l.failures)} failed requests "
                          f"(victims' included)", "PASS" if not l.dups else "FAIL",
                          f"{len(l.dups)} repeats" if l.dups else ""))


def main():
    work, net, app_image, pg_image, limits, deadline = sys.argv[1:7]
    h = Harness(work, net, app_image, pg_image, json.loads(limits), float(deadline))
    only = os.environ.get("PODS_TEST_DRILLS", "1234567")
    try:
        h.drill("1 bring-up", "PostgreSQL and the replicas ready; /api/counters on each lists them all live; "
                "numbers unique", h.bring_up)
        if h.load is None:
            raise DrillFailed("no pods")
        plan = [("2", "2 rolling update", "maxSurge 1/maxUnavailable 0: preStop + SIGTERM exit 0 within the grace "
                 "period; no failed request to a ready pod; ready endpoints never below replicas; counters exact, "
                 "departed final", h.rolling_update),
                ("3", "3 pod SIGKILL", "the others answer every API; out of the sums and departed within the "
                 "documented bounds; a replacement joins", h.pod_killed),
                ("4", "4 pod SIGSTOP 20 s", "the other pods stay ready and answer every API; it comes back; no "
                 "repeats", h.pod_frozen),
                ("5", "5 PostgreSQL SIGKILL 10 s", "fsync on; no repeats; pods unready only when out of numbers, "
                 "ready after", h.postgres_killed),
                ("6", "6 network cut 20 s", "the others answer; one membership again, the cut pod counted once; "
                 "no repeats", h.network_cut),
                ("7", "7 scale 3→5→3", "two join and turn ready, two stop gracefully; counters exact", h.scale)]
        for key, name, checked, fn in plan:
            if key in only:
                h.drill(name, checked, fn)
    except DrillFailed as e:
        log(f"stopped: {e}")
    finally:
        h.summary_load()
        h.stopping = True
        h.notes.append(f"Secret keys made for the run (never from the repository): {', '.join(h.secrets.made)}")
        out = {"rows": h.rows, "notes": h.notes}
        (pathlib.Path(work) / "result.json").write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
