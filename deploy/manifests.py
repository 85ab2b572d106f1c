"""Rendered Kubernetes objects to podman: shared by deploy/container-test.sh and deploy/pods-test.sh.

Reads the JSON that podman-lib.sh's pl_render writes (``kubectl kustomize`` turned into JSON offline) and turns one
pod template (of a Deployment, StatefulSet or Job) into the ``podman run`` options a kubelet's settings map to:
user and groups, read-only root, capabilities, no-new-privileges, seccomp, sysctls, limits, env (literal values,
``status.podIP`` and the pod's name, Secret and ConfigMap references), ConfigMap and Secret volumes as files, emptyDirs
and volume claims as directories or tmpfs. What has no podman equivalent is returned as notes, for the caller's
summary, never dropped silently. Secrets never come from the repository: every key a pod refers to gets a value made
here for the run (a random token, or a certificate or keystore when the key's name asks for one).

    python3 deploy/manifests.py container-env WORK      what container-test.sh reads (WORK/deployment.env, WORK/env)
"""
import json
import os
import pathlib
import secrets as rnd
import shlex
import subprocess
import sys


def load(path):
    """Every object in a rendered JSON file (one JSON document per object, or Lists), in order."""
    text, items, pos, dec = pathlib.Path(path).read_text(), [], 0, json.JSONDecoder()
    while pos < len(text.rstrip()):
        obj, end = dec.raw_decode(text, pos)
        items += obj["items"] if obj.get("kind") == "List" else [obj]
        pos = end + (len(text[end:]) - len(text[end:].lstrip()))
    return items


def find(items, kind, name=None):
    """The objects of a kind (and name), in order."""
    return [i for i in items if i["kind"] == kind and (name is None or i["metadata"]["name"] == name)]


def quantity_bytes(q):
    """A Kubernetes memory quantity in bytes."""
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
    q = str(q)
    for u in sorted(units, key=len, reverse=True):
        if q.endswith(u):
            return int(float(q[: -len(u)]) * units[u])
    return int(float(q))


def quantity_cpus(q):
    """A Kubernetes CPU quantity as a number of CPUs."""
    q = str(q)
    return int(q[:-1]) / 1000 if q.endswith("m") else float(q)


class Secrets:
    """Values for every Secret key a pod refers to, made once per run and shared by every pod (the PostgreSQL password
    the database is created with is the one hellonet connects with). Secrets present in the rendered objects are used
    as they are."""

    def __init__(self, items, work, dns_names=()):
        self.work = pathlib.Path(work)
        self.dns_names = list(dns_names)
        self.values = {}
        self.made = []
        for s in find(items, "Secret"):
            import base64
            vals = {k: base64.b64decode(v) for k, v in s.get("data", {}).items()}
            vals.update({k: v.encode() for k, v in s.get("stringData", {}).items()})
            for k, v in vals.items():
                self.values[(s["metadata"]["name"], k)] = v

    def get(self, name, key, siblings=()):
        """The bytes of name/key; siblings are the other keys of the same Secret a volume mounts (a keystore's password
        is one of them)."""
        if (name, key) not in self.values:
            self.values[(name, key)] = self._make(name, key, siblings)
            self.made.append(f"{name}/{key}")
        return self.values[(name, key)]

    def text(self, name, key):
        return self.get(name, key).decode()

    def _password_of(self, name, siblings):
        pw = [k for k in siblings if "password" in k.lower() or "pass" == k.lower()]
        return self.get(name, pw[0]).decode() if pw else None

    def _make(self, name, key, siblings):
        low = key.lower()
        if low.endswith((".p12", ".pfx", ".jks", ".keystore", ".truststore")):
            return self._keystore(name, key, siblings)
        if low.endswith((".crt", ".pem", ".key")):
            return self._pem(name, key)
        # A token of the usual form: long, URL-safe, no spaces.
        return f"pods-test-{key}-{rnd.token_hex(16)}".encode()

    def _ca(self):
        d = self.work / "pki"
        if not (d / "ca.crt").exists():
            d.mkdir(parents=True, exist_ok=True)
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=pods-test CA", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.crt")],
                           check=True, capture_output=True)
        return d

    def _server_cert(self, name):
        """One key and certificate per Secret, for every Service name of the run, signed by the run's CA."""
        d = self._ca()
        key, crt = d / f"{name}.key", d / f"{name}.crt"
        if not crt.exists():
            san = ",".join(f"DNS:{n}" for n in self.dns_names + ["localhost"])
            subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                            "-keyout", str(key), "-out", str(d / f"{name}.csr")], check=True, capture_output=True)
            ext = d / f"{name}.ext"
            ext.write_text(f"subjectAltName={san}\n")
            subprocess.run(["openssl", "x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / "ca.crt"),
                            "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", str(ext),
                            "-out", str(crt)], check=True, capture_output=True)
        return key, crt

    def _pem(self, name, key):
        low = key.lower()
        if low.startswith("ca"):
            return (self._ca() / "ca.crt").read_bytes()
        k, c = self._server_cert(name)
        return (k if low.endswith(".key") else c).read_bytes()

    def _keystore(self, name, key, siblings):
        """A PKCS12 keystore with a key pair, or (for a trust store) the run's CA; its password is the Secret's
        password key when it has one."""
        pw = self._password_of(name, siblings) or "changeit"
        out = self.work / "pki" / f"{name}-{key}"
        out.parent.mkdir(parents=True, exist_ok=True)
        if "trust" in key.lower():
            subprocess.run(["keytool", "-importcert", "-noprompt", "-storetype", "PKCS12", "-alias", "ca",
                            "-file", str(self._ca() / "ca.crt"), "-keystore", str(out), "-storepass", pw],
                           check=True, capture_output=True)
        else:
            subprocess.run(["keytool", "-genkeypair", "-storetype", "PKCS12", "-alias", name, "-keyalg", "RSA",
                            "-keysize", "2048", "-dname", f"CN={name}", "-validity", "2", "-keystore", str(out),
                            "-storepass", pw, "-keypass", pw], check=True, capture_output=True)
        return out.read_bytes()


def pod_template(workload):
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def _volume_files(kind, src, items, secrets):
    """{relative path: bytes} of a configMap or secret volume (honouring items: key/path)."""
    if kind == "configMap":
        cms = find(items, "ConfigMap", src["name"])
        if not cms:
            raise SystemExit(f"configMap volume {src['name']}: no such ConfigMap in the rendered objects")
        data = {k: v.encode() for k, v in cms[0].get("data", {}).items()}
    else:
        name = src["secretName"]
        keys = [i["key"] for i in src.get("items", [])] or None
        if keys is None:
            found = find(items, "Secret", name)
            if not found:
                raise SystemExit(f"secret volume {name} mounts every key of a Secret that is not rendered: name its keys "
                                 f"(items) so that the harness knows what to make")
            keys = list(found[0].get("data", {})) + list(found[0].get("stringData", {}))
        data = {k: secrets.get(name, k, keys) for k in keys}
    if src.get("items"):
        return {i.get("path", i["key"]): data[i["key"]] for i in src["items"]}
    return data


class PodRun:
    """The podman options of one pod template's container; probes, preStop and grace period for the caller to act
    on; notes naming what podman cannot express."""

    def __init__(self, items, workload, work, pod_name, ip, secrets, container=0, volume_dirs=None, mem_scale=None):
        self.workload, self.pod_name, self.ip = workload, pod_name, ip
        pod = pod_template(workload)
        c = pod["containers"][container]
        self.container = c
        self.grace = int(pod.get("terminationGracePeriodSeconds", 30))
        self.notes = []
        psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
        work = pathlib.Path(work)
        args = ["--hostname", pod_name]

        def sc(key, default=None):
            return csc.get(key, psc.get(key, default))

        uid, gid = sc("runAsUser"), sc("runAsGroup")
        if sc("runAsNonRoot", False) and (uid is None or int(uid) == 0):
            raise SystemExit(f"{workload['metadata']['name']}: runAsNonRoot without a non-root runAsUser")
        self.uid, self.gid = uid, gid if gid is not None else uid
        self.fs_group = psc.get("fsGroup")
        if uid is not None:
            args += ["--user", f"{uid}:{self.gid}"]
        if self.fs_group is not None:
            args += ["--group-add", str(self.fs_group)]
        for g in psc.get("supplementalGroups", []):
            args += ["--group-add", str(g)]
        self.read_only = bool(csc.get("readOnlyRootFilesystem", False))
        if self.read_only:
            args += ["--read-only", "--read-only-tmpfs=false"]
        self.no_new_privs = not csc.get("allowPrivilegeEscalation", True)
        if self.no_new_privs:
            args += ["--security-opt", "no-new-privileges"]
        caps = csc.get("capabilities", {})
        self.cap_drop = caps.get("drop", [])
        for cap in self.cap_drop:
            args += ["--cap-drop", cap]
        for cap in caps.get("add", []):
            args += ["--cap-add", cap]
        seccomp = sc("seccompProfile", {}).get("type", "")
        # Podman's default seccomp profile is the container runtime's default, which is what RuntimeDefault names.
        self.seccomp = seccomp
        if seccomp == "Unconfined":
            args += ["--security-opt", "seccomp=unconfined"]
        elif seccomp not in ("", "RuntimeDefault"):
            self.notes.append(f"seccompProfile {seccomp}: no stand-in (podman's default profile used)")
        self.sysctls = [f"{s['name']}={s['value']}" for s in psc.get("sysctls", [])]
        for s in self.sysctls:
            args += ["--sysctl", s]
        limits, requests = c.get("resources", {}).get("limits", {}), c.get("resources", {}).get("requests", {})
        self.memory = limits.get("memory")
        if self.memory:
            mem = quantity_bytes(self.memory)
            if mem_scale:
                mem = int(mem * mem_scale)
            args += ["--memory", str(mem)]
        self.cpus = limits.get("cpu")
        if self.cpus:
            args += ["--cpus", str(quantity_cpus(self.cpus))]
        if requests:
            self.notes.append("resources.requests (scheduling, CPU weight): not applied; one host, limits only")
        # Env, in order, as the kubelet builds it.
        env = {}
        for src in c.get("envFrom", []):
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                for k, v in find(items, "ConfigMap", src["configMapRef"]["name"])[0].get("data", {}).items():
                    env[prefix + k] = v
            elif "secretRef" in src:
                raise SystemExit("envFrom secretRef: the harness cannot tell which keys to make; use secretKeyRef")
        for e in c.get("env", []):
            if "value" in e:
                env[e["name"]] = e["value"]
                continue
            vf = e.get("valueFrom", {})
            if "fieldRef" in vf:
                path = vf["fieldRef"]["fieldPath"]
                vals = {"status.podIP": ip, "metadata.name": pod_name, "metadata.namespace": "default",
                        "status.hostIP": ip, "spec.nodeName": "pods-test"}
                if path not in vals:
                    raise SystemExit(f"env {e['name']}: no stand-in for fieldRef {path}")
                env[e["name"]] = vals[path]
            elif "secretKeyRef" in vf:
                env[e["name"]] = secrets.text(vf["secretKeyRef"]["name"], vf["secretKeyRef"]["key"])
            elif "configMapKeyRef" in vf:
                ref = vf["configMapKeyRef"]
                env[e["name"]] = find(items, "ConfigMap", ref["name"])[0]["data"][ref["key"]]
            elif "resourceFieldRef" in vf:
                raise SystemExit(f"env {e['name']}: no stand-in for resourceFieldRef")
            else:
                raise SystemExit(f"env {e['name']}: no stand-in for {vf}")
        self.env = env
        envfile = work / f"env-{pod_name}"
        envfile.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        os.chmod(envfile, 0o600)
        args += ["--env-file", str(envfile)]
        # Volumes. Per-pod directories live under work/pods/<pod>; volume_dirs overrides one by name (the caller's
        # persistent claim, or a directory shared on purpose).
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        claims = {t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])}
        volume_dirs = volume_dirs or {}
        self.mounts = {}
        owner = (int(uid) if uid is not None else 0, int(self.fs_group if self.fs_group is not None else (gid or 0)))
        for m in c.get("volumeMounts", []):
            name, path = m["name"], m["mountPath"]
            ro = ":ro" if m.get("readOnly") else ""
            v = vols.get(name)
            if name in volume_dirs:
                d = pathlib.Path(volume_dirs[name])
                d.mkdir(parents=True, exist_ok=True)
                os.chown(d, *owner)   # fsGroup's job in the cluster
                args += ["-v", f"{d}:{path}{ro}"]
            elif v is None and name in claims:
                raise SystemExit(f"volume claim {name}: the caller must give its directory (volume_dirs)")
            elif v is None:
                raise SystemExit(f"volumeMount {name}: no such volume")
            elif "configMap" in v or "secret" in v:
                kind = "configMap" if "configMap" in v else "secret"
                d = work / "pods" / pod_name / "vol" / name
                d.mkdir(parents=True, exist_ok=True)
                mode = v[kind].get("defaultMode", 0o644)
                for rel, data in _volume_files(kind, v[kind], items, secrets).items():
                    f = d / rel
                    f.parent.mkdir(parents=True, exist_ok=True)
                    f.write_bytes(data)
                    os.chmod(f, mode)
                    # The kubelet leaves the files to root with the fsGroup as group.
                    os.chown(f, 0, int(self.fs_group) if self.fs_group is not None else 0)
                if "subPath" in m:
                    args += ["-v", f"{d / m['subPath']}:{path}:ro"]
                else:
                    args += ["-v", f"{d}:{path}:ro"]
                self.mounts[path] = kind
            elif "emptyDir" in v:
                ed = v["emptyDir"]
                size = ed.get("sizeLimit")
                if ed.get("medium") == "Memory" or path == "/tmp":
                    # A tmpfs: writable, executable (Netty unpacks its native library into /tmp), sized by sizeLimit.
                    opt = f"{path}:rw,exec,nosuid,nodev,mode=1777"
                    if size:
                        opt += f",size={quantity_bytes(size)}"
                    args += ["--tmpfs", opt]
                else:
                    d = work / "pods" / pod_name / "vol" / name
                    d.mkdir(parents=True, exist_ok=True)
                    os.chown(d, *owner)
                    args += ["-v", f"{d}:{path}{ro}"]
                    if size:
                        self.notes.append(f"emptyDir {name} sizeLimit {size}: not enforced (a host directory)")
                self.mounts[path] = "emptyDir"
            else:
                raise SystemExit(f"volume {name}: no stand-in for {sorted(set(v) - {'name'})}")
        if c.get("command"):
            args += ["--entrypoint", json.dumps(c["command"])]
        if c.get("workingDir"):
            args += ["-w", c["workingDir"]]
        self.cmd_args = list(c.get("args", []))
        self.ports = {p.get("name", str(p["containerPort"])): p["containerPort"] for p in c.get("ports", [])}
        if any("hostPort" in p for p in c.get("ports", [])):
            self.notes.append("hostPort: not applied")
        self.probes = {k: c[k] for k in ("startupProbe", "readinessProbe", "livenessProbe") if k in c}
        self.pre_stop = c.get("lifecycle", {}).get("preStop")
        self.args = args
        for key, why in [("topologySpreadConstraints", "one host"), ("affinity", "one host"),
                         ("nodeSelector", "one host"), ("tolerations", "one host"),
                         ("priorityClassName", "no scheduler")]:
            if key in pod:
                self.notes.append(f"{key}: not applicable ({why})")
        if pod.get("enableServiceLinks", True):
            self.notes.append("enableServiceLinks: no Service variables are injected here")
        if pod.get("automountServiceAccountToken", True):
            self.notes.append("service account token: none mounted here")
        if len(pod["containers"]) > 1 or pod.get("initContainers"):
            self.notes.append("only the first container of the pod runs here")

    def port(self, ref):
        """A probe's port (a number or a port name) as a number."""
        return ref if isinstance(ref, int) else self.ports[ref]


def container_env(work):
    """What container-test.sh reads: WORK/deployment.env (shell variables) and WORK/run-args (NUL-separated podman
    options, the data volume left to the script: it shares one directory between two containers on purpose)."""
    work = pathlib.Path(work)
    items = load(work / "rendered-k8s.json")
    dep = find(items, "Deployment")[0]
    pod = pod_template(dep)
    c = pod["containers"][0]
    data_mount = next((m for m in c.get("volumeMounts", [])
                       if "emptyDir" in {v["name"]: v for v in pod["volumes"]}[m["name"]] and m["mountPath"] != "/tmp"),
                      None)
    if data_mount is None:
        raise SystemExit("the Deployment mounts no data volume")
    secrets = Secrets(items, work)
    # The pod's IP: unused with clustering off here.
    run = PodRun(items, dep, work, "container-test", "127.0.0.1", secrets,
                 volume_dirs={data_mount["name"]: str(work / "data")})
    # The data volume is given per container by the script: drop the placeholder mount.
    args, i = [], 0
    while i < len(run.args):
        if run.args[i] == "-v" and run.args[i + 1].startswith(str(work / "data") + ":"):
            i += 2
            continue
        args.append(run.args[i])
        i += 1
    (work / "run-args").write_bytes(b"".join(a.encode() + b"\0" for a in args))
    cfg_path = run.env.get("HELLONET_CONFIG")
    cfg = {}
    if cfg_path:
        d, f = os.path.split(cfg_path)
        if run.mounts.get(d) == "configMap":
            cfg = json.loads((work / "pods" / "container-test" / "vol").glob(f"*/{f}").__next__().read_text())
    out = {
        "APP_UID": str(run.uid), "APP_GID": str(run.gid),
        "RUN_AS_NON_ROOT": str(pod.get("securityContext", {}).get("runAsNonRoot", c.get("securityContext", {}).get("runAsNonRoot", False))).lower(),
        "READ_ONLY_ROOT": str(run.read_only).lower(), "NO_PRIV_ESC": str(run.no_new_privs).lower(),
        "CAP_DROP": ",".join(run.cap_drop), "SECCOMP": run.seccomp, "SYSCTLS": " ".join(run.sysctls),
        "GRACE": str(run.grace), "HELLO_PORT": str(run.ports["hello"]), "HTTP_PORT": str(run.ports["http"]),
        "DATA_MOUNT": data_mount["mountPath"], "SECRETS": " ".join(secrets.made),
        "STORE": cfg.get("sequence", {}).get("store", "file"),
        "CLUSTER": str(cfg.get("cluster", {}).get("enabled", False)).lower(),
        "CRAWL_STORE": cfg.get("crawler", {}).get("store", "memory"),
        "NOTES": "; ".join(run.notes),
    }
    with open(work / "deployment.env", "w") as f:
        for k, v in out.items():
            f.write(f"{k}={shlex.quote(v)}\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "container-env":
        container_env(sys.argv[2])
    else:
        raise SystemExit(__doc__)
