#!/usr/bin/python3
"""make deploy-check: render every kustomization under deploy/, lint it, and
check that what the manifests mount and set is what starrhost reads.

What the binary reads is taken from the sources, not from a list kept here:
command-line options and environment names from host/*.c, the built-in script
directory from the Makefile and the Dockerfile's PREFIX, the default secrets
directory from host/secret.c, and the names config.lua reads from the
environment (literals, and <APP> + suffix names built from its app list) from
scripts/. So a rename on either side fails this check.

Ends with one line "N passed, N failed, N skipped"; exits 1 on a failure.
Runs with Debian's python3 (python3-yaml); renders with Debian's kubectl
(tests/deploy/kubectl.sh) and, when one is on PATH, a newer kustomize too.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.getcwd()
HERE = os.path.dirname(os.path.abspath(__file__))
KUBECTL = [os.path.join(HERE, "kubectl.sh")]
YAMLLINT_CONFIG = os.path.join(HERE, "yamllint.yaml")
BIN = os.environ.get("STARRHOST_BIN", os.path.join(os.environ.get("BUILD", "build"), "starrhost"))
VERBOSE = os.environ.get("V", "0") != "0"

passed = failed = skipped = 0


def result(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}")
        for line in str(detail).rstrip().splitlines():
            print(f"      {line}")
    return ok


def skip(name, why):
    global skipped
    skipped += 1
    print(f"skip  {name}: {why}")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def strip_lua_comments(text):
    text = re.sub(r"--\[(=*)\[.*?\]\1\]", "", text, flags=re.S)
    return re.sub(r"--[^\n]*", "", text)


# --------------------------------------------------------------------------
# What the binary and the scripts read, from their sources.

class Source:
    def __init__(self):
        self.problems = []
        c_files = sorted(glob.glob(os.path.join(ROOT, "host", "*.c")))
        c_text = "\n".join(open(p, encoding="utf-8").read() for p in c_files)
        main_c = read("host/main.c") if os.path.exists("host/main.c") else ""
        code = strip_c_comments(main_c)
        # Options main.c accepts: option_is(arg, "--x") and strcmp(arg, "--x").
        self.options = set(re.findall(r'option_is\(\s*arg\s*,\s*"(--[a-z-]+)"', code))
        self.options |= set(re.findall(r'strcmp\(\s*arg\s*,\s*"(--[a-z-]+)"\s*\)', code))
        self.value_options = set(re.findall(r'NEEDS_VALUE\(\s*"(--[a-z-]+)"\s*\)', code))
        # Commands: the ones main.c compares cli.command / command against.
        self.commands = set(re.findall(r'strcmp\(\s*(?:cli->|cli\.)?command\s*,\s*"([a-z]+)"\s*\)', code))
        # Environment names the host reads itself.
        self.host_env = set(re.findall(r'(?:getenv|env_nonempty)\(\s*"([A-Z][A-Z0-9_]*)"\s*\)',
                                       strip_c_comments(c_text)))
        m = re.search(r'#define\s+SECRETS_DIR_DEFAULT\s+"([^"]+)"', c_text)
        self.secrets_dir_default = m.group(1) if m else None
        # secret.get(name): NAME_FILE, NAME (name upper-cased, '-' -> '_').
        self.secret_file_suffix = "_FILE" if '"%s_FILE"' in c_text else None
        # Built-in script directory: Makefile template with the Dockerfile's PREFIX.
        mk = read("Makefile")
        m = re.search(r"^BUILTIN_SCRIPTS\s*\??=\s*(\S+)", mk, flags=re.M)
        template = m.group(1) if m else None
        dockerfile = read("Dockerfile") if os.path.exists("Dockerfile") else ""
        prefixes = set(re.findall(r"\bPREFIX=(\S+)", dockerfile))
        self.prefix = next(iter(prefixes)) if len(prefixes) == 1 else None
        if self.prefix is None:
            self.problems.append(f"the Dockerfile sets PREFIX= to {sorted(prefixes)}, not to one value")
        self.builtin = template.replace("$(PREFIX)", self.prefix) if template and self.prefix else None
        self.binary = f"{self.prefix}/bin/starrhost" if self.prefix else None
        self.dockerfile = dockerfile
        # The scripts: names they read from the environment.
        self.scripts = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "scripts", "*.lua")))
        lua = {os.path.basename(p): strip_lua_comments(open(p, encoding="utf-8").read())
               for p in glob.glob(os.path.join(ROOT, "scripts", "*.lua"))}
        all_lua = "\n".join(lua.values())
        literals = set(re.findall(r'"([^"\\\n]*)"|\'([^\'\\\n]*)\'', all_lua))
        literals = {a or b for a, b in literals}
        self.script_env = {s for s in literals if re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", s)}
        modules = {name[:-4] for name in lua}
        # Apps: config.lua's APPS list; without one, lower-case literals that
        # are also a script module (sonarr.lua).
        m = re.search(r"\bAPPS\s*=\s*\{([^}]*)\}", lua.get("config.lua", ""))
        if m:
            self.apps = set(re.findall(r'"([a-z]+)"', m.group(1)))
        else:
            self.apps = {s for s in literals if re.fullmatch(r"[a-z]+", s) and s in modules}
        self.suffixes = {s for s in literals if re.fullmatch(r"_[A-Z][A-Z0-9_]*", s)}
        self.secret_suffixes = {s for s in literals if re.fullmatch(r"-[a-z][a-z0-9-]*", s)}
        self.have_scripts = "config.lua" in lua

    def env_known(self, name):
        """Whether the binary or the scripts read NAME (None: cannot tell)."""
        if name in self.host_env:
            return True
        if name.startswith("STARRHOST_"):
            return False  # the host's own names are all read in host/*.c
        if not self.have_scripts:
            return None
        if name in self.script_env:
            return True
        for app in self.apps:
            for suffix in self.suffixes:
                if name == app.upper() + suffix:
                    return True
        # secret.get("<app>-api-key") reads <APP>_API_KEY and <APP>_API_KEY_FILE.
        for var in self.secret_env_names():
            if name == var:
                return True
        return False

    def secret_names(self):
        names = set()
        for app in self.apps:
            for suffix in self.secret_suffixes:
                names.add(app + suffix)
        return names

    def secret_env_names(self):
        out = set()
        for secret in self.secret_names():
            var = secret.upper().replace("-", "_")
            out.add(var)
            if self.secret_file_suffix:
                out.add(var + self.secret_file_suffix)
        return out


# --------------------------------------------------------------------------
# Rendering

def kustomizations():
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "**", "kustomization.yaml"), recursive=True)):
        found.append(os.path.relpath(os.path.dirname(path), ROOT))
    return found


def render(cmd, directory):
    """CMD is the renderer up to the directory: kubectl kustomize, kustomize build."""
    proc = subprocess.run(cmd + [directory], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def second_renderer():
    """A newer kustomize than Debian's kubectl 1.20 (kustomize v2): what
    ArgoCD runs. Optional: used when one is on PATH."""
    if os.environ.get("KUSTOMIZE_NEW"):  # e.g. "kustomize build"
        return os.environ["KUSTOMIZE_NEW"].split(), os.environ["KUSTOMIZE_NEW"]
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build"], "kustomize build"
    kubectl = shutil.which("kubectl")
    if kubectl:
        proc = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
        m = re.search(r"Kustomize Version: (v[0-9.]+)", proc.stdout)
        if proc.returncode == 0 and m and not m.group(1).startswith("v2."):
            return [kubectl, "kustomize"], f"kubectl with kustomize {m.group(1)}"
    return None, None


def normalise_hashes(docs):
    """Generated names carry a content hash whose algorithm differs between
    kustomize versions; compare without it, and without empty metadata maps
    (kustomize v2 writes `annotations: {}` on a merged ConfigMap)."""
    docs = json.loads(json.dumps(docs))
    for d in docs:
        for k in [k for k, v in d.get("metadata", {}).items() if v == {}]:
            del d["metadata"][k]
    text = json.dumps(docs, sort_keys=True)
    for d in docs:
        if d.get("kind") in ("ConfigMap", "Secret"):
            name = d["metadata"]["name"]
            m = re.fullmatch(r"(.*)-[a-z0-9]{10}", name)
            if m:
                text = text.replace(f'"{name}"', f'"{m.group(1)}-HASH"')
    return sorted(json.loads(text), key=lambda d: (d.get("kind", ""), d["metadata"]["name"]))


def yamllint(paths=None, stdin=None):
    if not shutil.which("yamllint"):
        return None, "yamllint not installed (Debian package yamllint)"
    cmd = ["yamllint", "-f", "parsable", "-c", YAMLLINT_CONFIG] + (paths or ["-"])
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    return proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------
# Checks of one rendered workload

def pod_of(obj):
    if obj["kind"] == "Job":
        return obj["spec"]["template"]["spec"], obj["spec"]
    if obj["kind"] == "CronJob":
        js = obj["spec"]["jobTemplate"]["spec"]
        return js["template"]["spec"], js
    return None, None


def parse_quantity(q):
    q = str(q)
    units = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "K": 1000, "M": 1000 ** 2, "G": 1000 ** 3,
             "k": 1000, "m": 0.001}
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", q)
    if not m:
        return None
    return float(m.group(1)) * units.get(m.group(2), 1)


def parse_size(s):
    """STARRHOST_MEMORY_LIMIT as main.c reads it: N, NK, NM, NG (1024s)."""
    m = re.fullmatch(r"([0-9]+)([KMGkmg]?)", str(s))
    if not m:
        return None
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()]


def container_env(c, objects):
    """The container's environment as starrhost sees it: envFrom ConfigMaps
    first, then env entries (which win). Returns {name: entry}, problems."""
    env, problems = {}, []
    for ref in c.get("envFrom", []):
        cm_ref = ref.get("configMapRef")
        if not cm_ref:
            problems.append(f"envFrom {ref}: only ConfigMaps are expected")
            continue
        cm = objects.get(("ConfigMap", cm_ref["name"]))
        if cm is None:
            problems.append(f"envFrom ConfigMap {cm_ref['name']} is not in the rendered output")
            continue
        if not re.search(r"-[a-z0-9]{10}$", cm_ref["name"]):
            problems.append(f"envFrom ConfigMap {cm_ref['name']} has no content hash: "
                            "a changed URL would not re-run the Job")
        for k, v in (cm.get("data") or {}).items():
            env[ref.get("prefix", "") + k] = {"name": ref.get("prefix", "") + k, "value": v}
    for e in c.get("env", []):
        env[e["name"]] = e
    return env, problems


def check_workload(src, where, obj, objects, env_unknown_once):
    label = f"{where}: {obj['kind']} {obj['metadata']['name']}"
    pod, jobspec = pod_of(obj)
    ann = obj["metadata"].get("annotations", {})
    if obj["kind"] == "Job":
        result(ann.get("argocd.argoproj.io/hook") == "PostSync"
               and ann.get("argocd.argoproj.io/hook-delete-policy") == "BeforeHookCreation",
               f"{label}: ArgoCD PostSync hook, BeforeHookCreation", ann)
    else:
        spec = obj["spec"]
        result(re.fullmatch(r"\S+( \S+){4}", str(spec.get("schedule", ""))) is not None
               and spec.get("concurrencyPolicy") == "Forbid",
               f"{label}: a 5-field schedule, concurrencyPolicy Forbid", spec.get("schedule"))
    missing = [k for k in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished")
               if not isinstance(jobspec.get(k), int)]
    result(not missing and pod.get("restartPolicy") == "Never",
           f"{label}: backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, restartPolicy Never",
           f"missing: {missing}, restartPolicy {pod.get('restartPolicy')}")

    containers = pod.get("containers", [])
    if not result(len(containers) == 1, f"{label}: one container", len(containers)):
        return
    c = containers[0]
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    problems = []
    if not (psc.get("runAsNonRoot") or csc.get("runAsNonRoot")):
        problems.append("runAsNonRoot not true")
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    if uid in (None, 0):
        problems.append(f"runAsUser {uid}")
    if csc.get("readOnlyRootFilesystem") is not True:
        problems.append("readOnlyRootFilesystem not true")
    if csc.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation not false")
    if csc.get("privileged"):
        problems.append("privileged")
    if "ALL" not in (csc.get("capabilities", {}).get("drop") or []) or csc.get("capabilities", {}).get("add"):
        problems.append(f"capabilities {csc.get('capabilities')}")
    seccomp = (csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    if seccomp != "RuntimeDefault":
        problems.append(f"seccompProfile {seccomp}")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append("service account token mounted (starrhost needs no Kubernetes API)")
    result(not problems, f"{label}: non-root, read-only root, no capabilities, seccomp RuntimeDefault",
           "; ".join(problems))
    m = re.search(r"^USER\s+([0-9]+)(?::([0-9]+))?\s*$", src.dockerfile, flags=re.M)
    result(m is not None and uid == int(m.group(1)),
           f"{label}: runAsUser is the image's numeric USER",
           f"manifest {uid}, Dockerfile USER {m.group(0) if m else 'none or not numeric'}")

    res = c.get("resources", {})
    problems = [f"{kind}.{r} missing" for kind in ("requests", "limits") for r in ("cpu", "memory")
                if r not in res.get(kind, {})]
    env, env_problems = container_env(c, objects)
    mem_limit = parse_quantity(res.get("limits", {}).get("memory", "0"))
    lua_limit = env.get("STARRHOST_MEMORY_LIMIT", {}).get("value")
    if lua_limit is not None:
        size = parse_size(lua_limit)
        if size is None or not mem_limit or size >= mem_limit:
            problems.append(f"STARRHOST_MEMORY_LIMIT {lua_limit} is not below the container limit "
                            f"{res.get('limits', {}).get('memory')}")
    result(not problems, f"{label}: requests and limits set (Lua heap below the memory limit)",
           "; ".join(problems))

    # The command line: the image's ENTRYPOINT, a command and options main.c knows.
    args = [str(a) for a in c.get("args", [])]
    command = c.get("command")
    problems = []
    if command and command != [src.binary]:
        problems.append(f"command {command} replaces the ENTRYPOINT {src.binary}")
    if not re.search(r'^ENTRYPOINT\s+\["%s"\]' % re.escape(src.binary or "?"), src.dockerfile, flags=re.M):
        problems.append(f"the Dockerfile's ENTRYPOINT is not [\"{src.binary}\"]")
    if not args or args[0] not in src.commands:
        problems.append(f"first argument {args[:1]} is not a command of host/main.c {sorted(src.commands)}")
    i = 1
    scripts = []
    while i < len(args):
        a = args[i]
        opt = a.split("=", 1)[0]
        if opt not in src.options:
            problems.append(f"option {a} is not one host/main.c parses")
        value = None
        if opt in src.value_options:
            if "=" in a:
                value = a.split("=", 1)[1]
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                problems.append(f"option {a} needs a value")
        if opt == "--scripts":
            scripts.append(value)
        if opt == "--timeout" and value is not None:
            try:
                if float(value) >= jobspec.get("activeDeadlineSeconds", 0):
                    problems.append(f"--timeout {value} is not below activeDeadlineSeconds")
            except ValueError:
                problems.append(f"--timeout {value} is not a number")
        i += 1
    result(not problems, f"{label}: args are a starrhost command line ({' '.join(args)})", "; ".join(problems))

    # Mounts.
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"].rstrip("/"): m for m in c.get("volumeMounts", [])}

    def volume_at(path):
        m = mounts.get(path.rstrip("/"))
        return volumes.get(m["name"]) if m else None

    # Script path: override directories (ConfigMap mounts) first, the
    # image's built-in directory last.
    problems = []
    if "STARRHOST_SCRIPTS" in env:
        problems.append("STARRHOST_SCRIPTS is set: the path belongs in args, in one place")
    if not scripts:
        problems.append("no --scripts override directory")
    else:
        if src.builtin and scripts[-1] != src.builtin:
            problems.append(f"the last --scripts is {scripts[-1]}, not the image's built-in {src.builtin}")
        if src.builtin and src.builtin in scripts[:-1]:
            problems.append(f"the built-in {src.builtin} comes before an override directory")
        overrides = [s for s in scripts if s != src.builtin]
        for d in overrides:
            v = volume_at(d)
            if not v or "configMap" not in v:
                problems.append(f"--scripts {d} is not a mounted ConfigMap")
            elif not mounts[d.rstrip('/')].get("readOnly"):
                problems.append(f"the mount at {d} is not readOnly")
            if any(m.get("subPath") for m in c.get("volumeMounts", []) if m["mountPath"].startswith(d)):
                problems.append(f"{d}: subPath mounts do not follow ConfigMap updates")
        if not overrides:
            problems.append("no override directory before the built-in one")
    result(not problems, f"{label}: script path = overrides (ConfigMap) then {src.builtin}", "; ".join(problems))

    # Override ConfigMaps: generated (hash-named), present, flat .lua names of scripts/.
    for d in [s for s in scripts if s != src.builtin]:
        v = volume_at(d)
        if not v or "configMap" not in v:
            continue
        name = v["configMap"]["name"]
        cm = objects.get(("ConfigMap", name))
        problems = []
        if cm is None:
            problems.append(f"ConfigMap {name} is not in the rendered output")
            data = {}
        else:
            data = dict(cm.get("data") or {})
            if not re.search(r"-[a-z0-9]{10}$", name):
                problems.append(f"{name} has no content hash: a changed script would not re-run the Job")
        for key in data:
            if key.endswith(".lua"):
                if not re.fullmatch(r"[A-Za-z0-9_-]+\.lua", key):
                    problems.append(f"{key}: not a flat module file name")
                elif src.scripts and key not in src.scripts:
                    problems.append(f"{key} overrides nothing in scripts/ ({', '.join(src.scripts)})")
        result(not problems, f"{label}: override ConfigMap {name} ({', '.join(sorted(data)) or 'empty'})",
               "; ".join(problems))

    # A config file (STARRHOST_CONFIG or --config) is a key of a mounted ConfigMap.
    config = env.get("STARRHOST_CONFIG", {}).get("value")
    if "--config" in [a.split("=", 1)[0] for a in args]:
        problems = ["--config in args and STARRHOST_CONFIG both set"] if config else []
        i = [a.split("=", 1)[0] for a in args].index("--config")
        config = args[i].split("=", 1)[1] if "=" in args[i] else args[i + 1]
    else:
        problems = []
    if config:
        d, key = os.path.split(config)
        v = volume_at(d)
        if not v or "configMap" not in v:
            problems.append(f"config {config}: {d} is not a mounted ConfigMap")
        else:
            cm = objects.get(("ConfigMap", v["configMap"]["name"]))
            if cm is None or key not in (cm.get("data") or {}):
                problems.append(f"config {config}: ConfigMap {v['configMap']['name']} has no key {key}")
        result(not problems, f"{label}: config file {config} is mounted from a ConfigMap", "; ".join(problems))

    # Environment: every name set is one the binary or the scripts read.
    if env_problems:
        result(False, f"{label}: envFrom ConfigMaps are rendered and hashed", "; ".join(env_problems))
    unknown, cannot_tell = [], []
    for name in env:
        known = src.env_known(name)
        if known is None:
            cannot_tell.append(name)
        elif not known:
            unknown.append(name)
    if unknown:
        result(False, f"{label}: environment names are read by starrhost",
               f"not read by host/*.c or scripts/: {', '.join(unknown)}")
    elif cannot_tell:
        if env_unknown_once.setdefault("told", False) is False:
            env_unknown_once["told"] = True
        skip(f"{label}: environment names are read by starrhost",
             f"scripts/config.lua is not there to tell about {', '.join(cannot_tell)}")
    else:
        result(True, f"{label}: environment names are read by starrhost ({', '.join(env)})")

    # Secrets: the Secret is mounted where secret.get looks, and every app
    # enabled by <APP>_URL has its key there or in <APP>_API_KEY(_FILE).
    problems = []
    secrets_dir = env.get("STARRHOST_SECRETS_DIR", {}).get("value") or src.secrets_dir_default
    v = volume_at(secrets_dir) if secrets_dir else None
    if not v or "secret" not in v:
        problems.append(f"no Secret mounted at the secrets directory {secrets_dir}")
    elif not mounts[secrets_dir.rstrip('/')].get("readOnly"):
        problems.append(f"the Secret mount at {secrets_dir} is not readOnly")
    else:
        items = v["secret"].get("items")
        for item in items or []:
            if src.have_scripts and item["path"] not in src.secret_names():
                problems.append(f"Secret item {item['path']} is no secret name the scripts read")
    for name, e in env.items():
        if name.endswith("_FILE") and "value" in e:
            if not any(e["value"].startswith(p + "/") for p in mounts):
                problems.append(f"{name}={e['value']} is not under a mounted directory")
    apps = [n[:-len("_URL")].lower() for n in env if re.fullmatch(r"[A-Z]+_URL", n)]
    for app in apps:
        var = f"{app.upper()}_API_KEY"
        if var in env or f"{var}_FILE" in env or f"{app.upper()}_CONFIG_XML" in env:
            continue
        if v and "secret" in v and v["secret"].get("items") is not None \
                and f"{app}-api-key" not in [it["path"] for it in v["secret"]["items"]]:
            problems.append(f"{app} is enabled but {app}-api-key is not among the Secret's items")
        if src.have_scripts and f"{app}-api-key" not in src.secret_names():
            problems.append(f"{app}-api-key is no secret name the scripts read ({sorted(src.secret_names())})")
    result(not problems, f"{label}: API keys mounted at {secrets_dir} for {', '.join(apps) or 'no app'}",
           "; ".join(problems))
    return scripts


def materialise_configmap(data, target):
    """Lays out DATA as the kubelet mounts a ConfigMap: files are symlinks
    into ..data, itself a symlink to a timestamped directory."""
    stamp = "..2026_01_01_00_00_00.000000001"
    os.makedirs(os.path.join(target, stamp))
    for key, value in data.items():
        with open(os.path.join(target, stamp, key), "w", encoding="utf-8") as f:
            f.write(value)
    os.symlink(stamp, os.path.join(target, "..data"))
    for key in data:
        os.symlink(os.path.join("..data", key), os.path.join(target, key))


def check_with_binary(src, where, obj, objects, scripts):
    """Runs `starrhost check` (no network) with the workload's script path and
    environment, override directories laid out as ConfigMap mounts."""
    label = f"{where}: {obj['kind']} {obj['metadata']['name']}: starrhost check loads the scripts and config"
    if not os.access(BIN, os.X_OK):
        skip(label, f"no {BIN} (make all)")
        return
    if "main.lua" not in src.scripts:
        skip(label, "scripts/main.lua is not there yet")
        return
    pod, _ = pod_of(obj)
    c = pod["containers"][0]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    with tempfile.TemporaryDirectory(prefix="starrhost-deploy-") as tmp:
        remap = {}
        for m in c.get("volumeMounts", []):
            v = volumes.get(m["name"], {})
            local = os.path.join(tmp, "mnt" + m["mountPath"])
            if "configMap" in v:
                cm = objects.get(("ConfigMap", v["configMap"]["name"]), {})
                materialise_configmap(dict(cm.get("data") or {}), local)
            elif "secret" in v:
                # Stand-in values for every secret the scripts and the
                # rendered ConfigMaps (config files, overrides) ask for.
                names = set(src.secret_names())
                for (kind, _), o in objects.items():
                    if kind == "ConfigMap":
                        for text in (o.get("data") or {}).values():
                            names |= set(re.findall(r"""secret(?:\.get)?\s*\(?\s*["']([a-z0-9_-]+)["']""", text))
                materialise_configmap({n: "0123456789abcdef0123456789abcdef\n" for n in names}, local)
            else:
                os.makedirs(local)
            remap[m["mountPath"].rstrip("/")] = local
        remap[src.builtin] = os.path.join(ROOT, "scripts")

        def local_path(p):
            for mount, local in sorted(remap.items(), key=lambda kv: -len(kv[0])):
                if p == mount or p.startswith(mount + "/"):
                    return local + p[len(mount):]
            return p

        env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
        for e in container_env(c, objects)[0].values():
            if "value" in e:
                value = str(e["value"])
                env[e["name"]] = local_path(value) if value.startswith("/") else value
        args = [BIN, "check"]
        for d in scripts:
            args += ["--scripts", local_path(d)]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        result(proc.returncode == 0, label,
               f"{' '.join(args)}\nexit {proc.returncode}\n{proc.stdout}{proc.stderr}")


# --------------------------------------------------------------------------

def main():
    src = Source()
    result(not src.problems and src.builtin and src.secrets_dir_default and src.options and src.commands,
           "sources tell the built-in script dir, secrets dir, options and commands",
           "; ".join(src.problems) or f"builtin {src.builtin}, secrets {src.secrets_dir_default}, "
                                      f"options {sorted(src.options)}, commands {sorted(src.commands)}")
    # The Dockerfile: CMD run, scripts installed where the binary looks.
    df = src.dockerfile
    problems = []
    if not re.search(r'^CMD\s+\["run"\]', df, flags=re.M):
        problems.append('CMD is not ["run"]')
    if not re.search(r"^USER\s+[1-9][0-9]*(:[0-9]+)?\s*$", df, flags=re.M):
        problems.append("USER is not a numeric non-root user")
    if "make" not in df or "install" not in df:
        problems.append("the Dockerfile does not install with make install")
    result(not problems, "Dockerfile: ENTRYPOINT starrhost, CMD run, numeric non-root USER", "; ".join(problems))

    dirs = kustomizations()
    result(len(dirs) >= 3 and "deploy/base" in dirs, f"kustomizations found: {', '.join(dirs)}",
           "expected deploy/base and at least two overlays")
    ok, out = yamllint(paths=[os.path.join("deploy")])
    if ok is None:
        skip("yamllint deploy/", out)
    else:
        result(ok, "yamllint deploy/ (sources)", out)

    new_cmd, new_name = second_renderer()
    base_job_pod = None
    cron_pods = []
    for d in dirs:
        rc, out, err = render(KUBECTL + ["kustomize"], d)
        if not result(rc == 0, f"{d}: renders with Debian's kubectl kustomize (kustomize v2)", err):
            continue
        ok, lint = yamllint(stdin=out)
        if ok is None:
            skip(f"{d}: yamllint of the rendered output", lint)
        else:
            result(ok, f"{d}: yamllint of the rendered output", lint)
        docs = [doc for doc in yaml.safe_load_all(out) if doc]
        if VERBOSE:
            print(out)
        if new_cmd:
            rc2, out2, err2 = render(new_cmd, d)
            if rc2 != 0:
                result(False, f"{d}: renders with {new_name}", err2)
            else:
                a = normalise_hashes(docs)
                b = normalise_hashes([doc for doc in yaml.safe_load_all(out2) if doc])
                result(a == b, f"{d}: {new_name} renders the same objects",
                       "\n".join(difflines(a, b)))
        else:
            skip(f"{d}: a newer kustomize renders the same objects", "none on PATH")
        objects = {(o["kind"], o["metadata"]["name"]): o for o in docs}
        workloads = [o for o in docs if o["kind"] in ("Job", "CronJob")]
        result(bool(workloads), f"{d}: has a Job or CronJob", [o["kind"] for o in docs])
        told = {}
        for o in workloads:
            scripts = check_workload(src, d, o, objects, told)
            if scripts is not None:
                check_with_binary(src, d, o, objects, scripts)
            if d == "deploy/base" and o["kind"] == "Job":
                base_job_pod = o["spec"]["template"]
            if o["kind"] == "CronJob":
                cron_pods.append((d, o))
    # The CronJob's pod is the base Job's: one edit must not leave the other behind.
    for d, o in cron_pods:
        if base_job_pod is None:
            skip(f"{d}: CronJob pod template equals the base Job's", "no base Job")
            continue
        a = normalise_pod(base_job_pod)
        b = normalise_pod(o["spec"]["jobTemplate"]["spec"]["template"])
        result(a == b, f"{d}: CronJob {o['metadata']['name']} runs the base Job's pod template",
               "\n".join(difflines(a, b)))

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


def normalise_pod(template):
    t = json.loads(json.dumps(template))
    t.get("metadata", {}).pop("labels", None)
    for v in t["spec"].get("volumes", []):
        if "configMap" in v:
            v["configMap"]["name"] = re.sub(r"-[a-z0-9]{10}$", "", v["configMap"]["name"])
    for c in t["spec"].get("containers", []):
        for ref in c.get("envFrom", []):
            if "configMapRef" in ref:
                ref["configMapRef"]["name"] = re.sub(r"-[a-z0-9]{10}$", "", ref["configMapRef"]["name"])
    return t


def difflines(a, b):
    import difflib
    sa = json.dumps(a, indent=1, sort_keys=True).splitlines()
    sb = json.dumps(b, indent=1, sort_keys=True).splitlines()
    return [line for line in difflib.unified_diff(sa, sb, lineterm="", n=1)][:40]


if __name__ == "__main__":
    sys.exit(main())
