#!/usr/bin/env python3
"""Memory per open idle connection for hellonet, nginx and Redis, each holding the same number of idle clients.

Run through bench/conn-memory.sh (it installs the servers and builds the jar); this file is the measurement and the
client. See the header of bench/conn-memory.sh and docs/benchmarks.md for the options and what each figure means.
"""
import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

IP_BIND_ADDRESS_NO_PORT = 24  # linux/in.h; Python has no name for it
EPHEMERAL_PER_SOURCE = 25_000  # below the default 28,232-port ephemeral range, so one source address never runs out
KERNEL_CACHES = ["TCP", "TCPv6", "sock_inode_cache", "filp", "dentry", "eventpoll_epi", "eventpoll_pwq",
                 "kmalloc-64", "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
                 "kmalloc-2k", "kmalloc-4k", "skbuff_head_cache", "selinux_sock_security"]
SOCKET_CACHES = ["TCP", "TCPv6", "sock_inode_cache", "filp", "dentry", "eventpoll_epi", "eventpoll_pwq"]

REQUESTS = {  # protocol: (request, is the reply complete?, is it the right reply?)
    "hello": b"hi\n",
    "http": b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n",
    "redis": b"PING\r\n",
}


def say(msg):
    print(f"conn-memory: {msg}", file=sys.stderr, flush=True)


def reply_done(protocol, buf):
    if protocol == "hello":
        return buf.endswith(b"\n")
    if protocol == "redis":
        return buf.endswith(b"\r\n")
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    return len(body) >= (int(m.group(1)) if m else 0)


def reply_ok(protocol, buf):
    return {"hello": buf.startswith(b"Hello World"), "redis": buf == b"+PONG\r\n",
            "http": buf.startswith(b"HTTP/1.1 200 ")}[protocol]


# --- client ---------------------------------------------------------------------------------------------------------
def client_main(a):
    """Opens count connections, one request and its reply on each, then holds them idle until stdin closes."""
    raise_nofile()
    sources = a.sources.split(",")
    per_source = math.ceil(a.count / len(sources))
    req = REQUESTS[a.protocol]
    conns, failed = [], 0
    deadline = time.monotonic() + a.open_seconds
    for i in range(a.count):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            # The port is picked at connect(), per destination, not at bind() for the whole source address: runs
            # against several servers then share the source addresses' ports.
            s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind((sources[i // per_source], 0))
            s.connect((a.host, a.port))
            s.sendall(req)
            buf = b""
            while not reply_done(a.protocol, buf):
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("closed by the server")
                buf += chunk
            if not reply_ok(a.protocol, buf):
                raise ConnectionError(f"unexpected reply {buf[:60]!r}")
            conns.append(s)
        except OSError as e:
            failed += 1
            s.close()
            if failed <= 3:
                print(f"client: connection {i} failed: {e}", file=sys.stderr, flush=True)
            if failed >= 50:
                break
    print(json.dumps({"opened": len(conns), "failed": failed}), flush=True)
    # Hold until the parent says so (stdin closed) or the hold time runs out, whichever comes first.
    import select
    select.select([sys.stdin], [], [], a.hold_seconds)
    # Closed with a reset, so the next server's run does not find the ports in TIME_WAIT (seen: 18,000 connections
    # took 58 s to open instead of 8 while the previous run's ports waited).
    for s in conns:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- sampling -------------------------------------------------------------------------------------------------------
def slab():
    out = {}
    with open("/proc/slabinfo") as f:
        for line in f:
            if line.startswith(("slabinfo", "#")):
                continue
            p = line.split()
            out[p[0]] = int(p[1]) * int(p[3])  # active objects x object size
    return out


def sockstat():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                p = line.split()
                d = dict(zip(p[1::2], map(int, p[2::2])))
                return {"inuse": d["inuse"], "alloc": d["alloc"], "mem_bytes": d["mem"] * os.sysconf("SC_PAGE_SIZE")}
    return {}


def proc_mem(pids):
    tot = {"rss": 0, "rss_anon": 0, "private": 0, "anonymous": 0}
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            st = {k: v.split()[0] for k, _, v in (l.partition(":") for l in f) if v.split()}
        tot["rss"] += int(st["VmRSS"]) * 1024
        tot["rss_anon"] += int(st.get("RssAnon", 0)) * 1024
        with open(f"/proc/{pid}/smaps_rollup") as f:
            sm = {l.split(":")[0]: int(l.split()[1]) for l in f if l.rstrip().endswith("kB")}
        tot["private"] += (sm.get("Private_Clean", 0) + sm.get("Private_Dirty", 0)) * 1024
        tot["anonymous"] += sm.get("Anonymous", 0) * 1024
    return tot


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except OSError:
                pass
    return out


def jcmd(pid, *args):
    exe = os.path.realpath(f"/proc/{pid}/exe")
    tool = os.path.join(os.path.dirname(exe), "jcmd")
    return subprocess.run([tool, str(pid), *args], capture_output=True, text=True, timeout=180, check=True).stdout


def java_sample(pid):
    """Live heap by class (GC.class_histogram runs a full GC first) and native memory by NMT category."""
    hist = {}
    total = 0
    for line in jcmd(pid, "GC.class_histogram").splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            hist[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        m = re.match(r"Total\s+(\d+)\s+(\d+)", line)
        if m:
            total = int(m.group(2))
    nmt = {}
    for line in jcmd(pid, "VM.native_memory", "summary", "scale=KB").splitlines():
        m = re.match(r"\s*(?:-\s*)?(.+?)\s+\(reserved=\d+KB, committed=(\d+)KB", line)
        if m:
            nmt[m.group(1).strip()] = int(m.group(2)) * 1024
    return {"heap_live": total, "histogram": hist, "nmt": nmt}


def redis_info(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"INFO memory\r\n")
    buf = b""
    while True:
        buf += s.recv(65536)
        m = re.match(rb"\$(\d+)\r\n", buf)
        if m and len(buf) >= m.end() + int(m.group(1)):
            break
    s.close()
    d = dict(l.split(":", 1) for l in buf.decode().splitlines() if ":" in l)
    return {"used_memory": int(d["used_memory"]), "mem_clients_normal": int(d.get("mem_clients_normal", 0))}


# --- servers --------------------------------------------------------------------------------------------------------
def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_port(name, port, proc, logfile):
    for _ in range(1200):
        if not port_free(port):
            return
        if proc.poll() is not None:
            raise SystemExit(f"conn-memory: {name} exited while starting; log {logfile}:\n{open(logfile).read()[-800:]}")
        time.sleep(0.1)
    raise SystemExit(f"conn-memory: {name} did not listen on 127.0.0.1:{port} within 120 s")


def start_server(name, a, tmp):
    log = os.path.join(tmp, f"{name}.log")
    out = open(log, "w")
    n = a.connections
    if name == "hellonet":
        env = {k: v for k, v in os.environ.items() if k != "HELLONET_CONFIG"}
        env.update({
            "HELLONET_HELLO_HOST": "127.0.0.1", "HELLONET_HELLO_PORT": str(a.hellonet_port),
            "HELLONET_HELLO_INSTANCES": "1", "HELLONET_HTTP_HOST": "127.0.0.1", "HELLONET_HTTP_PORT": "0",
            "HELLONET_SEQUENCE_FILE": os.path.join(tmp, "sequence"),
            # The bench's clients come from a few addresses at a few thousand a second: the per-address cap and
            # the rate limit are lifted, the global cap is set just above the count, and the idle timeout (its
            # per-connection timer still runs) is longer than the measurement.
            "HELLONET_PROTECTION_MAXCONNECTIONS": str(n + 64),
            "HELLONET_PROTECTION_MAXCONNECTIONSPERADDRESS": str(n + 64),
            "HELLONET_PROTECTION_NEWCONNECTIONSPERSECOND": "1000000",
            "HELLONET_PROTECTION_NEWCONNECTIONSBURST": "1000000",
            "HELLONET_PROTECTION_IDLETIMEOUTMS": str(max(600_000, a.hold_seconds * 2000)),
            "HELLONET_JVM_OPTS": (os.environ.get("HELLONET_JVM_OPTS", "") + " -XX:NativeMemoryTracking=summary").strip(),
        })
        proc = subprocess.Popen([os.path.join(a.root, "hellonet"), "run"], cwd=a.root, env=env, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=raise_nofile)
        for _ in range(1200):
            if "hellonet ready" in open(log).read():
                break
            if proc.poll() is not None:
                raise SystemExit(f"conn-memory: hellonet exited while starting:\n{open(log).read()[-800:]}")
            time.sleep(0.1)
        else:
            raise SystemExit("conn-memory: hellonet was not ready within 120 s")
        return proc, a.hellonet_port, "hello", lambda: [proc.pid]
    if name == "nginx":
        d = os.path.join(tmp, "nginx")
        os.makedirs(d)
        conf = open(os.path.join(a.root, "bench", "nginx-keepalive.conf")).read()
        for k, v in {"@TMP@": d, "@PORT@": str(a.nginx_port), "@WORKER_CONNECTIONS@": str(n + 64),
                     "@NOFILE@": str(resource.getrlimit(resource.RLIMIT_NOFILE)[1])}.items():
            conf = conf.replace(k, v)
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        proc = subprocess.Popen(["nginx", "-p", d, "-e", os.path.join(d, "error.log"), "-c",
                                 os.path.join(d, "nginx.conf"), "-g", "daemon off;"], stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=raise_nofile)
        wait_port("nginx", a.nginx_port, proc, log)
        return proc, a.nginx_port, "http", lambda: [proc.pid, *children(proc.pid)]
    if name == "redis":
        proc = subprocess.Popen(["redis-server", os.path.join(a.root, "bench", "redis.conf"), "--port",
                                 str(a.redis_port), "--dir", tmp, "--daemonize", "no", "--maxclients", str(n + 64),
                                 # Bound to 127.0.0.1 alone, but protected mode would refuse the bench's clients from
                                 # 127.1.x.x: it counts only 127.0.0.1 and ::1 as local.
                                 "--protected-mode", "no"],
                                stdout=out, stderr=subprocess.STDOUT, preexec_fn=raise_nofile)
        wait_port("redis", a.redis_port, proc, log)
        return proc, a.redis_port, "redis", lambda: [proc.pid]
    raise SystemExit(f"conn-memory: unknown server '{name}' in --servers (hellonet, nginx, redis)")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def open_clients(a, port, protocol, count, clients, first_source):
    """Starts the client processes, each with its own loopback source addresses, and waits until all have opened."""
    per_client = math.ceil(count / clients)
    procs, src = [], first_source
    left = count
    for _ in range(clients):
        mine = min(per_client, left)
        left -= mine
        if mine == 0:
            break
        k = max(1, math.ceil(mine / EPHEMERAL_PER_SOURCE))
        sources = ",".join(f"127.{(s >> 16) & 255}.{(s >> 8) & 255}.{s & 255}" for s in range(src, src + k))
        src += k
        procs.append(subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "client", "--port", str(port), "--protocol", protocol,
             "--count", str(mine), "--sources", sources, "--hold-seconds", str(a.hold_seconds),
             "--open-seconds", str(a.open_seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    opened = failed = 0
    for p in procs:
        line = p.stdout.readline()
        if not line:
            raise SystemExit("conn-memory: a client exited before reporting")
        r = json.loads(line)
        opened += r["opened"]
        failed += r["failed"]
    return procs, opened, failed


def close_clients(procs):
    for p in procs:
        try:
            p.stdin.close()
        except OSError:
            pass
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def sample(name, pids, port):
    time.sleep(1)
    s = {}
    if name == "hellonet":
        s["java"] = java_sample(pids[0])  # the full GC first, so RSS and the kernel figures are read after it
    if name == "redis":
        s["redis"] = redis_info(port)
    s["proc"] = proc_mem(pids)
    s["slab"] = slab()
    s["sockstat"] = sockstat()
    return s


def measure(name, a, tmp):
    proc, port, protocol, pids = start_server(name, a, tmp)
    clients = []
    try:
        # A warm-up round opens and closes a few hundred connections, so the baseline holds the code and the pools
        # that serve a connection; what remains is what holding one costs.
        for _ in range(2):
            w, opened, _ = open_clients(a, port, protocol, a.warmup, 1, 200)
            close_clients(w)
        time.sleep(1)
        before = sample(name, pids(), port)
        t0 = time.monotonic()
        clients, opened, failed = open_clients(a, port, protocol, a.connections, a.clients, 1 << 16)
        open_s = time.monotonic() - t0
        time.sleep(a.settle_seconds)
        after = sample(name, pids(), port)
        alive = proc.poll() is None
    finally:
        close_clients(clients)
        stop(proc)
    if opened == 0:
        raise SystemExit(f"conn-memory: {name}: no connection opened ({name}.log in the output directory)")
    return summarize(name, before, after, opened, failed, open_s, alive)


def summarize(name, b, a, n, failed, open_s, alive):
    per = lambda x: x / n
    r = {"server": name, "connections": n, "failed": failed, "open_seconds": round(open_s, 1), "alive": alive,
         "before": {k: v for k, v in b.items() if k != "java"}, "after": {k: v for k, v in a.items() if k != "java"}}
    rss = a["proc"]["rss"] - b["proc"]["rss"]
    r["rss_per_conn"] = per(rss)
    r["anon_per_conn"] = per(a["proc"]["anonymous"] - b["proc"]["anonymous"])
    r["private_per_conn"] = per(a["proc"]["private"] - b["proc"]["private"])
    r["rss_before"] = b["proc"]["rss"]
    r["rss_after"] = a["proc"]["rss"]
    if "java" in a:
        jb, ja = b["java"], a["java"]
        heap = ja["heap_live"] - jb["heap_live"]
        nb, na = jb["nmt"], ja["nmt"]
        direct = na.get("Other", 0) - nb.get("Other", 0)
        native = sum(v for k, v in na.items() if k not in ("Java Heap", "Total")) - \
            sum(v for k, v in nb.items() if k not in ("Java Heap", "Total"))
        r["heap_per_conn"] = per(heap)
        r["direct_per_conn"] = per(direct)
        r["native_other_per_conn"] = per(native - direct)
        r["user_per_conn"] = per(heap + native)
        r["rest_of_rss_per_conn"] = per(rss - heap - direct)
        r["heap_live_before"] = jb["heap_live"]
        r["heap_live_after"] = ja["heap_live"]
        r["nmt_before"], r["nmt_after"] = nb, na
        diff = []
        for cls, (cnt, byt) in ja["histogram"].items():
            c0, b0 = jb["histogram"].get(cls, (0, 0))
            diff.append((byt - b0, cnt - c0, cls))
        diff.sort(reverse=True)
        r["top_classes"] = [{"class": c, "bytes_per_conn": round(db / n, 1), "instances_per_conn": round(dc / n, 2)}
                            for db, dc, c in diff[:60] if db > 0]
    else:
        # RSS growth rather than private pages: a few thousand connections in, nginx's private count can fall while
        # its RSS grows (pages turning shared), and at 18,000 the two agree within 1%.
        r["user_per_conn"] = r["rss_per_conn"]
    if "redis" in a:
        r["redis_used_memory_per_conn"] = per(a["redis"]["used_memory"] - b["redis"]["used_memory"])
        r["redis_clients_memory_per_conn"] = per(a["redis"]["mem_clients_normal"] - b["redis"]["mem_clients_normal"])
    sb, sa = b["slab"], a["slab"]
    r["kernel_caches_per_conn"] = {c: round(per(sa.get(c, 0) - sb.get(c, 0)), 1) for c in KERNEL_CACHES if c in sa}
    r["kernel_sockets_per_conn"] = per(sum(sa.get(c, 0) - sb.get(c, 0) for c in SOCKET_CACHES))
    r["kernel_slab_total_per_conn"] = per(sum(sa.values()) - sum(sb.values()))
    r["tcp_mem_per_conn"] = per(a["sockstat"]["mem_bytes"] - b["sockstat"]["mem_bytes"])
    r["tcp_inuse_delta"] = a["sockstat"]["inuse"] - b["sockstat"]["inuse"]
    return r


def kib(x):
    return f"{x / 1024:.2f}"


def table(results):
    lines = ["| per open idle connection (KiB) | " + " | ".join(r["server"] for r in results) + " |",
             "|---|" + "---|" * len(results)]
    rows = [("connections held", lambda r: f"{r['connections']:,}"),
            ("live heap after a full GC", lambda r: kib(r["heap_per_conn"]) if "heap_per_conn" in r else "-"),
            ("direct (NMT Other)", lambda r: kib(r["direct_per_conn"]) if "direct_per_conn" in r else "-"),
            ("other native (NMT, not heap)", lambda r: kib(r["native_other_per_conn"]) if "heap_per_conn" in r else "-"),
            ("**user space** (Java: heap + native; C: RSS growth)", lambda r: f"**{kib(r['user_per_conn'])}**"),
            ("RSS growth", lambda r: kib(r["rss_per_conn"])),
            ("rest of RSS (growth - heap - direct)",
             lambda r: kib(r["rest_of_rss_per_conn"]) if "rest_of_rss_per_conn" in r else kib(r["rss_per_conn"])),
            ("Redis used_memory", lambda r: kib(r["redis_used_memory_per_conn"]) if "redis_used_memory_per_conn" in r else "-"),
            ("kernel: socket slabs, both ends on loopback", lambda r: kib(r["kernel_sockets_per_conn"])),
            ("kernel: all slab caches, both ends", lambda r: kib(r["kernel_slab_total_per_conn"])),
            ("kernel: TCP buffer memory (sockstat mem)", lambda r: kib(r["tcp_mem_per_conn"])),
            ("RSS idle -> held (MiB)", lambda r: f"{r['rss_before'] / 2**20:.0f} -> {r['rss_after'] / 2**20:.0f}")]
    for label, f in rows:
        lines.append(f"| {label} | " + " | ".join(f(r) for r in results) + " |")
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        p = argparse.ArgumentParser(prog="conn_memory.py client")
        p.add_argument("client")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--protocol", choices=sorted(REQUESTS), required=True)
        p.add_argument("--count", type=int, required=True)
        p.add_argument("--sources", required=True)
        p.add_argument("--hold-seconds", type=int, default=300)
        p.add_argument("--open-seconds", type=int, default=300)
        return client_main(p.parse_args())
    p = argparse.ArgumentParser(prog="bench/conn-memory.sh")
    p.add_argument("--connections", type=int, default=18_000)
    p.add_argument("--clients", type=int, default=0, help="client processes (0: enough to stay under their limit)")
    p.add_argument("--servers", default="hellonet,nginx,redis")
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--settle-seconds", type=int, default=15)
    p.add_argument("--hold-seconds", type=int, default=300)
    p.add_argument("--open-seconds", type=int, default=240)
    p.add_argument("--out", default="")
    p.add_argument("--root", required=True)
    a = p.parse_args()
    a.hellonet_port = int(os.environ.get("BENCH_HELLONET_PORT", 19400))
    a.nginx_port = int(os.environ.get("BENCH_NGINX_PORT", 19480))
    a.redis_port = int(os.environ.get("BENCH_REDIS_PORT", 19479))
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if a.connections < 1:
        p.error("--connections must be at least 1")
    # A server holds its connections in one process: it needs them plus its own files under its hard limit.
    headroom = max(256, a.connections // 50)
    if a.connections + headroom > hard:
        p.error(f"--connections {a.connections} needs {a.connections + headroom} open files in one server process; "
                f"this process's hard limit (ulimit -Hn) is {hard}: at most --connections {hard - max(256, hard // 50)} "
                "here, or raise nofile (and fs.nr_open) on a bigger machine")
    per_client_max = hard - 64
    if a.clients == 0:
        a.clients = max(2, math.ceil(a.connections / per_client_max))
    if math.ceil(a.connections / a.clients) > per_client_max:
        p.error(f"--clients {a.clients}: {math.ceil(a.connections / a.clients)} connections per client process "
                f"exceed its open-file limit {hard}; use --clients {math.ceil(a.connections / per_client_max)} or more")
    if not os.access("/proc/slabinfo", os.R_OK):
        p.error("/proc/slabinfo is not readable (needs root): the kernel's per-socket memory cannot be measured")
    for port in (a.hellonet_port, a.nginx_port, a.redis_port):
        if not port_free(port):
            p.error(f"port {port} on 127.0.0.1 is in use; set BENCH_HELLONET_PORT, BENCH_NGINX_PORT or BENCH_REDIS_PORT")
    out = a.out or os.path.join(a.root, "bench", "results", "conn-memory-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="hellonet-memory.")
    results = []
    try:
        for name in a.servers.split(","):
            say(f"{name}: {a.connections} idle connections from {a.clients} client processes")
            r = measure(name, a, tmp)
            say(f"{name}: {r['connections']} held ({r['failed']} failed, opened in {r['open_seconds']} s): "
                f"user space {kib(r['user_per_conn'])} KiB, RSS {kib(r['rss_per_conn'])} KiB, "
                f"kernel sockets {kib(r['kernel_sockets_per_conn'])} KiB per connection")
            results.append(r)
    finally:
        for f in os.listdir(tmp):
            if f.endswith(".log"):
                shutil.copy(os.path.join(tmp, f), out)
        shutil.rmtree(tmp, ignore_errors=True)
    env = {"nproc": os.cpu_count(), "nofile_hard": hard, "loadavg": open("/proc/loadavg").read().split()[:3],
           "uname": os.uname().release, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "args": " ".join(sys.argv[1:])}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"env": env, "results": results}, f, indent=1)
    t = table(results)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(t + "\n")
    print(t)
    for r in results:
        if "top_classes" in r:
            print(f"\n{r['server']}: classes that grew most, per connection (bytes, instances):")
            for c in r["top_classes"][:15]:
                print(f"  {c['bytes_per_conn']:8.1f}  {c['instances_per_conn']:6.2f}  {c['class']}")
    say(f"results in {out}")


if __name__ == "__main__":
    main()
