#!/usr/bin/env bash
# Offline checks for deploy/kubernetes; no cluster needed. Run by .ci/run; see README.md, "Checking the manifests".
#   1. manifests: every *.yaml / *.yml parses (PyYAML; a basic line check without it); each of the five
#      service Deployments has startup/liveness/readiness probes on the Quarkus health paths of its management
#      port (container port "management", 9000; the Service exposes only http), the prometheus.io annotations
#      pointing at that port, and the hardening; each base Deployment runs the image its service builds
#      (image, runAsUser, container port against the service's Jib settings); Services expose the documented
#      ports, Ingresses route only /api/..., no Secret manifest is committed, kustomization references exist
#   2. render: every overlay renders (kustomize, or kubectl kustomize); the local overlays from a scratch
#      copy whose secrets.env is secrets.example.env. Rendered Deployments pass the checks of 1.
#   3. schemas (validate/validate.mjs, Node): every rendered object of every overlay against the
#      Kubernetes / Gateway API schemas of kubernetes-models, no unknown fields, no kind without a schema
#      unless validate/allow-kinds.json lists it; every Secret key a workload or Ingress references exists
#      in a Secret of the render or in validate/operator-secrets.json (Secrets the operator creates)
#   4. promtool check config on the Prometheus config of every overlay (validate/prometheus-config.mjs
#      extracts it from the ConfigMap the prometheus Deployment mounts)
#      No rendered Secret may hold a placeholder value (secrets.example.env's own values excepted), nor a real
#      overlays/local/secrets.env. validate/ha-checks.py checks the production HA components in the renders
#      (CloudNativePG, distributed MinIO, default-deny policies, HTTPRoutes on /api/ only).
#   5. self-tests: broken fixtures (validate/fixtures), local renders whose secrets.env lacks keys or holds a
#      placeholder, and broken copies of the production-gateway render must fail checks 2, 3 and 4
#   6. monitoring (base/monitoring): promtool check rules and promtool test rules on the alert rules, every
#      alert tested firing and not firing (validate/monitoring.mjs), every Grafana dashboard parses with a
#      Prometheus query in each panel that promtool parses, every dashboard mounted by the rendered grafana;
#      the broken fixtures of validate/fixtures/monitoring must fail
# Missing tools are installed (as root, through apt-get: kubectl, nodejs + npm, prometheus for promtool,
# python3-yaml); the validator's npm packages are installed with `npm ci` into a cache outside the tree
# ($STRATA_CHECK_CACHE, default ~/.cache/strata-k8s-check). A tool that is still missing fails the check.
# Exits non-zero on any failure. STRATA_CHECK_BASIC=1 forces the basic fallback for check 1;
# STRATA_CHECK_NO_INSTALL=1 installs nothing.
set -uo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICES="auth-service:8081 kyc-service:8082 settings-service:8083 rates-service:8084 storage-gateway:8085"
CACHE="${STRATA_CHECK_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/strata-k8s-check}"
PY=python3

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Installs Debian packages (once: apt-get update before the first install). Output goes to $WORK/apt.log.
APT_UPDATED=""
apt_install() {
  if [ -n "${STRATA_CHECK_NO_INSTALL:-}" ]; then echo "note: STRATA_CHECK_NO_INSTALL set; not installing $*"; return 1; fi
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: cannot install $* (needs root and apt-get): apt-get install $*"; return 1
  fi
  echo "note: installing $* (apt-get)"
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq >>"$WORK/apt.log" 2>&1; APT_UPDATED=1; fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$WORK/apt.log" 2>&1; then
    tail -n 20 "$WORK/apt.log"; return 1
  fi
}

have_pyyaml() {
  [ -z "${STRATA_CHECK_BASIC:-}" ] || return 1
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' >/dev/null 2>&1; then PY="$py"; return 0; fi
  done
  # Debian's python3-yaml is for the system python3
  apt_install python3-yaml >/dev/null && /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 && PY=/usr/bin/python3
}

renderer() {
  if command -v kustomize >/dev/null 2>&1; then echo "kustomize build"
  elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then echo "kubectl kustomize"
  fi
}

# Renders each overlay into $1 (one file per overlay). The local overlay needs
# the git-ignored secrets.env, so it is rendered from a scratch copy that uses
# secrets.example.env instead (also when a real secrets.env exists, so the
# result does not depend on the machine); the real tree is never written to.
# $3 (optional): a file to use as every secrets.env instead of secrets.example.env; $4 (optional): render
# only this overlay.
render_overlays() {
  local out="$1" tool="$2" env="${3:-}" only="${4:-}" scratch
  scratch="$(mktemp -d)"
  cp -R "$DIR/." "$scratch/"
  [ -n "$env" ] || env="$scratch/secrets.example.env"
  # first every secrets.env: an overlay may build on another one (local-sentinel on local)
  for ov in "$scratch"/overlays/*/; do
    ov="${ov%/}"
    if grep -q 'secrets.env' "$ov/kustomization.yaml"; then
      cp "$env" "$ov/secrets.env"
    fi
  done
  for ov in "$scratch"/overlays/*/; do
    ov="${ov%/}"
    [ -z "$only" ] || [ "$(basename "$ov")" = "$only" ] || continue
    if ! $tool "$ov" >"$out/$(basename "$ov").yaml" 2>"$out/$(basename "$ov").err"; then
      echo "render-failed" >>"$out/$(basename "$ov").err"
    fi
  done
  rm -rf "$scratch"
}

full_check() {
  local rendered="$1"
  "$PY" - "$DIR" "$SERVICES" "$rendered" <<'PY'
import glob, os, re, sys
import yaml

root, services_arg, rendered = sys.argv[1], sys.argv[2], sys.argv[3]
SERVICES = dict((s.split(":")[0], int(s.split(":")[1])) for s in services_arg.split())
PROBES = {
    "startupProbe": "/q/health/started",
    "livenessProbe": "/q/health/live",
    "readinessProbe": "/q/health/ready",
}
passed, failed = 0, 0

def ok(msg):
    global passed
    passed += 1
    print(f"ok:   {msg}")

def fail(msg):
    global failed
    failed += 1
    print(f"FAIL: {msg}")

def check(cond, msg):
    ok(msg) if cond else fail(msg)

def rel(p):
    return os.path.relpath(p, root)

# 1. Every YAML file parses.
files = sorted(
    p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
    if p.endswith((".yaml", ".yml")) and os.path.isfile(p)
    and not rel(p).startswith("validate" + os.sep)  # the validator's self-test fixtures are no manifests
)
docs_by_file = {}
for p in files:
    try:
        with open(p) as fh:
            docs_by_file[p] = [d for d in yaml.safe_load_all(fh) if d is not None]
        ok(f"parses: {rel(p)} ({len(docs_by_file[p])} documents)")
    except yaml.YAMLError as e:
        fail(f"parses: {rel(p)}: {str(e).splitlines()[0]}")
all_docs = [(p, d) for p, ds in docs_by_file.items() for d in ds if isinstance(d, dict)]

# 2. Service Deployments: probes, annotations, hardening.
def container_port(c, name):
    for port in c.get("ports") or []:
        if port.get("name") == name:
            return port.get("containerPort")
    return None

def check_deployment(d, where):
    name = d["metadata"]["name"]
    tpl = d.get("spec", {}).get("template", {})
    pod = tpl.get("spec", {})
    containers = pod.get("containers") or []
    if not containers:
        fail(f"{where}: {name} has containers")
        return
    c = containers[0]
    http = container_port(c, "http")
    mgmt = container_port(c, "management")
    check(mgmt is not None and mgmt != http,
          f"{where}: {name} has a container port management (the Quarkus management interface), apart from http")
    for probe, path in PROBES.items():
        get = (c.get(probe) or {}).get("httpGet") or {}
        check(mgmt is not None and get.get("path") == path and get.get("port") in ("management", mgmt),
              f"{where}: {name} {probe} GET {path} on the management port")
    ann = tpl.get("metadata", {}).get("annotations") or {}
    check(str(ann.get("prometheus.io/scrape")) == "true",
          f"{where}: {name} annotation prometheus.io/scrape=\"true\"")
    check(mgmt is not None and str(ann.get("prometheus.io/port")) == str(mgmt),
          f"{where}: {name} annotation prometheus.io/port matches container port management ({mgmt})")
    check(ann.get("prometheus.io/path") == "/q/metrics",
          f"{where}: {name} annotation prometheus.io/path=/q/metrics")
    sc = c.get("securityContext") or {}
    psc = pod.get("securityContext") or {}
    check(psc.get("runAsNonRoot") is True and sc.get("readOnlyRootFilesystem") is True
          and "ALL" in ((sc.get("capabilities") or {}).get("drop") or [])
          and (psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
          f"{where}: {name} runs non-root, read-only root FS, drops ALL, seccomp RuntimeDefault")
    mounts = {m.get("mountPath") for m in c.get("volumeMounts") or []}
    check("/tmp" in mounts, f"{where}: {name} mounts a writable /tmp")
    res = c.get("resources") or {}
    check(bool(res.get("requests", {}).get("memory")) and bool(res.get("limits", {}).get("memory")),
          f"{where}: {name} has memory requests and limits")

found = {}
for p, d in all_docs:
    if d.get("kind") == "Deployment" and d.get("metadata", {}).get("name") in SERVICES:
        found.setdefault(d["metadata"]["name"], []).append(p)
        check_deployment(d, rel(p))
for s in SERVICES:
    check(len(found.get(s, [])) == 1, f"exactly one Deployment manifest for {s}")

# The image each base Deployment runs is the one its service builds (deploy/images/build.sh, Jib settings in
# <service>/src/main/resources/application.properties): same name, same non-root user, same container port.
def app_props(service):
    path = os.path.join(root, "..", "..", service, "src", "main", "resources", "application.properties")
    props = {}
    if os.path.isfile(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith(("#", "!")) and "=" in line:
                k, v = line.split("=", 1)
                props[k.strip()] = v.strip()
    return props

for p, d in all_docs:
    name = d.get("metadata", {}).get("name")
    if d.get("kind") != "Deployment" or name not in SERVICES or not rel(p).startswith("base" + os.sep):
        continue
    props = app_props(name)
    if not props:
        continue  # deploy/kubernetes checked outside the source tree
    built = "/".join(x for x in (props.get("quarkus.container-image.registry"), props.get("quarkus.container-image.group"),
                                 props.get("quarkus.container-image.name", name)) if x)
    built += ":" + props.get("quarkus.container-image.tag", "")
    pod = d["spec"]["template"]["spec"]
    c = pod["containers"][0]
    check(c.get("image") == built, f"{rel(p)}: {name} runs the image its build produces ({built}; image: {c.get('image')})")
    check(str((pod.get("securityContext") or {}).get("runAsUser")) == props.get("quarkus.jib.user"),
          f"{rel(p)}: {name} runAsUser is the image's user (quarkus.jib.user={props.get('quarkus.jib.user')})")
    check(str(container_port(c, "http")) in (props.get("quarkus.jib.ports") or "").split(","),
          f"{rel(p)}: {name} container port http is the port the image exposes (quarkus.jib.ports={props.get('quarkus.jib.ports')})")
    check(props.get("quarkus.management.enabled") == "true"
          and str(container_port(c, "management")) in (props.get("quarkus.jib.ports") or "").split(",")
          and props.get("quarkus.jib.environment-variables.QUARKUS_MANAGEMENT_PORT") == str(container_port(c, "management")),
          f"{rel(p)}: {name} container port management is the image's management interface (quarkus.management.enabled, "
          f"quarkus.jib.ports, QUARKUS_MANAGEMENT_PORT={props.get('quarkus.jib.environment-variables.QUARKUS_MANAGEMENT_PORT')})")

# Env: secrets by reference, datasource only where it belongs.
for p, d in all_docs:
    name = d.get("metadata", {}).get("name")
    if d.get("kind") != "Deployment" or name not in SERVICES:
        continue
    env = d["spec"]["template"]["spec"]["containers"][0].get("env") or []
    refs = {e["name"]: ((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name") for e in env}
    check(refs.get("STRATA_INTERNAL_TOKEN") == "strata-internal",
          f"{rel(p)}: {name} STRATA_INTERNAL_TOKEN from Secret strata-internal")
    if name == "storage-gateway":
        check(refs.get("QUARKUS_MINIO_ACCESS_KEY") == "strata-s3" and refs.get("QUARKUS_MINIO_SECRET_KEY") == "strata-s3",
              f"{rel(p)}: {name} S3 keys from Secret strata-s3")
        check(not any(k.startswith("QUARKUS_DATASOURCE") for k in refs),
              f"{rel(p)}: {name} has no datasource")
    else:
        check(refs.get("QUARKUS_DATASOURCE_USERNAME") == "strata-db" and refs.get("QUARKUS_DATASOURCE_PASSWORD") == "strata-db",
              f"{rel(p)}: {name} datasource credentials from Secret strata-db")
    creds = [e for e in env if re.search(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY", e["name"])]
    check(all("value" not in e and refs.get(e["name"]) for e in creds),
          f"{rel(p)}: {name} takes every credential from a Secret, none literal")

# 3. Services on the documented ports.
for p, d in all_docs:
    name = d.get("metadata", {}).get("name")
    if d.get("kind") == "Service" and name in SERVICES:
        ports = d.get("spec", {}).get("ports") or []
        check(any(pt.get("port") == SERVICES[name] and pt.get("targetPort") == "http" for pt in ports),
              f"{rel(p)}: Service {name} port {SERVICES[name]} -> targetPort http")
        # the Service the Ingress routes to never exposes health and metrics (the management interface)
        check(all(pt.get("targetPort") not in ("management", 9000) and pt.get("port") != 9000 for pt in ports),
              f"{rel(p)}: Service {name} does not expose the management port")

# 4. Ingresses route only /api/... to the five services (never /internal).
for p, d in all_docs:
    if d.get("kind") != "Ingress":
        continue
    name = d["metadata"]["name"]
    for rule in d.get("spec", {}).get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            backend = ((path.get("backend") or {}).get("service") or {}).get("name")
            if backend in SERVICES:
                check(str(path.get("path", "")).startswith("/api/") and "internal" not in path.get("path", ""),
                      f"{rel(p)}: Ingress {name} routes {path.get('path')} (an /api/ path) to {backend}")

# 5. No Secret with values is committed.
for p, d in all_docs:
    if d.get("kind") == "Secret":
        fail(f"{rel(p)}: commits a Secret ({d['metadata'].get('name')}); use secretGenerator or create it out of band")
ok("no Secret manifests committed") if not any(d.get("kind") == "Secret" for _, d in all_docs) else None

# 6. The real secrets file is git-ignored (only checkable inside a git work tree).
import subprocess
try:
    probe = os.path.join(root, "overlays", "local", "secrets.env")
    r = subprocess.run(["git", "-C", root, "check-ignore", "-q", probe], capture_output=True)
    if r.returncode in (0, 1):
        check(r.returncode == 0, "overlays/local/secrets.env is git-ignored")
except FileNotFoundError:
    pass

# 7. Kustomization references exist.
for p, ds in docs_by_file.items():
    if os.path.basename(p) != "kustomization.yaml":
        continue
    for d in ds:
        base = os.path.dirname(p)
        refs = list(d.get("resources") or []) + list(d.get("components") or [])
        refs += [x["path"] for x in d.get("patches") or [] if isinstance(x, dict) and "path" in x]
        for r in refs:
            check(os.path.exists(os.path.join(base, r)), f"{rel(p)}: reference {r} exists")

# 8. Rendered overlays (only when a renderer ran).
if rendered != "-":
    for out in sorted(glob.glob(os.path.join(rendered, "*.yaml"))):
        overlay = os.path.basename(out)[:-5]
        err = open(out[:-5] + ".err").read()
        if "render-failed" in err:
            fail(f"overlays/{overlay} renders: {err.strip().splitlines()[0] if err.strip() else 'error'}")
            continue
        ok(f"overlays/{overlay} renders")
        rdocs = [d for d in yaml.safe_load_all(open(out)) if isinstance(d, dict)]
        seen = set()
        for d in rdocs:
            if d.get("kind") == "Deployment" and d["metadata"]["name"] in SERVICES:
                seen.add(d["metadata"]["name"])
                check_deployment(d, f"overlays/{overlay} (rendered)")
        check(seen == set(SERVICES), f"overlays/{overlay} renders all five service Deployments")
        check(all(d["metadata"].get("namespace") == "strata" for d in rdocs
                  if d.get("kind") not in ("Namespace", "ClusterRole", "ClusterRoleBinding")),
              f"overlays/{overlay} puts every namespaced object in namespace strata")
        check(any(d.get("kind") == "NetworkPolicy" for d in rdocs),
              f"overlays/{overlay} includes the store NetworkPolicies")
        # Sentinel mode (components/redis-sentinel): no single Redis left, every service a Sentinel client as
        # its own ACL user, listing the three sentinels
        ha = [d for d in rdocs if d.get("kind") == "StatefulSet" and d["metadata"]["name"] == "redis-ha"]
        if ha:
            check(not any(d.get("kind") in ("StatefulSet", "Service") and d["metadata"]["name"] == "redis"
                          for d in rdocs), f"overlays/{overlay} (sentinel) drops the single Redis")
            check(ha[0]["spec"].get("replicas") == 3
                  and {c["name"] for c in ha[0]["spec"]["template"]["spec"]["containers"]} == {"redis", "sentinel"},
                  f"overlays/{overlay} (sentinel) runs three pods of redis + sentinel")
            check(any(d.get("kind") == "NetworkPolicy" and d["metadata"]["name"] == "redis-ha" for d in rdocs),
                  f"overlays/{overlay} (sentinel) has the redis-ha NetworkPolicy")
            for d in rdocs:
                name = d.get("metadata", {}).get("name")
                if d.get("kind") != "Deployment" or name not in SERVICES:
                    continue
                env = {e["name"]: e.get("value") for e in d["spec"]["template"]["spec"]["containers"][0].get("env") or []}
                hosts = (env.get("QUARKUS_REDIS_HOSTS") or "").split(",")
                check(env.get("QUARKUS_REDIS_CLIENT_TYPE") == "sentinel" and env.get("QUARKUS_REDIS_MASTER_NAME") == "strata"
                      and len(hosts) == 3 and all(h.startswith(f"redis://{name}:$(STRATA_REDIS_PASSWORD)@redis-ha-")
                                                  and h.endswith(":26379") for h in hosts),
                      f"overlays/{overlay} (sentinel): {name} is a Sentinel client as its own Redis user")

print(f"manifests: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
}

# Fallback without PyYAML: line-based checks only.
# Every /api/<prefix> a service serves (class-level @Path) is routed to it by the Ingress, the HTTPRoutes and the
# local gateway: a new resource nobody routed is unreachable from outside. /api/ping is every service's benchmark
# baseline and routed nowhere.
routes_check() {
  local rc=0 repo svc prefix where
  repo="$(cd "$DIR/../.." && pwd)"
  for svc in auth-service kyc-service settings-service rates-service storage-gateway; do
    for prefix in $(grep -rhoE '@Path\("/api/[a-z-]+' "$repo/$svc/src/main/java" | sed -E 's/.*"//' | sort -u); do
      [ "$prefix" = "/api/ping" ] && continue
      where=""
      grep -qE "path: $prefix, pathType: Prefix, backend: \{service: \{name: $svc," "$DIR/base/ingress.yaml" || where="$where Ingress"
      grep -qE "value: $prefix\}" "$DIR/components/gateway-api/httproutes.yaml" || where="$where HTTPRoute"
      grep -qF "new Route(\"$prefix\", \"$svc\"" "$repo/deploy/local/src/main/java/dev/strata/local/LocalGateway.java" \
        || where="$where local-gateway"
      if [ -z "$where" ]; then echo "ok:   $svc: $prefix routed (Ingress, HTTPRoute, local gateway)"
      else echo "FAIL: $svc: $prefix is served but not routed by:$where"; rc=1
      fi
    done
  done
  return $rc
}

basic_check() {
  local passed=0 failed=0 f svc port text probe path
  ok()   { passed=$((passed + 1)); echo "ok:   $1"; }
  fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
  echo "note: PyYAML not available; running basic line checks"
  while IFS= read -r -d '' f; do
    if [ ! -s "$f" ]; then fail "non-empty: ${f#"$DIR"/}"
    elif grep -qE $'^ *\t' "$f"; then fail "no tab indentation: ${f#"$DIR"/}"
    elif ! grep -qE '^(kind|apiVersion|- op):' "$f"; then fail "looks like a manifest or patch: ${f#"$DIR"/}"
    else ok "basic YAML shape: ${f#"$DIR"/}"
    fi
  done < <(find "$DIR" -path "$DIR/validate" -prune -o -path "$DIR/base/monitoring/*/*" -prune \
             -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)  # monitoring/*/: rules, configs
  for entry in $SERVICES; do
    svc="${entry%%:*}"; port="${entry##*:}"
    f="$DIR/base/$svc.yaml"
    if [ ! -f "$f" ]; then fail "$svc: base/$svc.yaml exists"; continue; fi
    text="$(cat "$f")"
    for probe in startupProbe:/q/health/started livenessProbe:/q/health/live readinessProbe:/q/health/ready; do
      path="${probe#*:}"; probe="${probe%%:*}"
      # The first path: after the probe key must be the expected one.
      if awk -v p="$probe:" -v want="$path" '
          index($0, p) { inprobe = 1; next }
          inprobe && /path:/ { sub(/.*path:[ ]*/, ""); pathok = ($0 == want); next }
          inprobe && /port:/ { sub(/.*port:[ ]*/, ""); found = pathok && ($0 == "management"); exit }
          END { exit !found }' "$f"; then ok "$svc: $probe GET $path on port management"
      else fail "$svc: $probe GET $path on port management"
      fi
    done
    for ann in 'prometheus.io/scrape: "true"' 'prometheus.io/port: "9000"' 'prometheus.io/path: /q/metrics'; do
      if grep -qF "$ann" <<<"$text"; then ok "$svc: annotation $ann"; else fail "$svc: annotation $ann"; fi
    done
    if grep -qE "^ +port: $port$" <<<"$text"; then ok "$svc: Service port $port"; else fail "$svc: Service port $port"; fi
    if grep -qE "^ +- name: management$" <<<"$text" && grep -qE "^ +containerPort: 9000$" <<<"$text"; then
      ok "$svc: container port management 9000"
    else fail "$svc: container port management 9000"
    fi
  done
  if grep -rlE '^kind: Secret$' "$DIR" --exclude-dir=validate --include='*.yaml' --include='*.yml' >/dev/null; then
    fail "no Secret manifests committed"
  else ok "no Secret manifests committed"
  fi
  if grep -rhE '^\s*- \{?path: /' "$DIR/base/ingress.yaml" | grep -vq '/api/'; then
    fail "Ingress routes only /api/ paths"
  else ok "Ingress routes only /api/ paths"
  fi
  if command -v git >/dev/null 2>&1 && git -C "$DIR" rev-parse --git-dir >/dev/null 2>&1; then
    if git -C "$DIR" check-ignore -q "$DIR/overlays/local/secrets.env"; then ok "overlays/local/secrets.env is git-ignored"
    else fail "overlays/local/secrets.env is git-ignored"
    fi
  fi
  echo "manifests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# ---------------------------------------------------------------------------------------------------------
# Node validator (validate/): its npm packages go to a cache outside the tree, keyed by the lockfile.
VDIR="$CACHE/validate"
node_setup() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "FAIL: node and npm are needed for the schema checks (apt-get install nodejs npm)"; return 1
  fi
  local major stamp
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 18 ]; then echo "FAIL: node >= 18 is needed for the schema checks (have $(node --version))"; return 1; fi
  stamp="$(sha256sum <"$DIR/validate/package-lock.json" | cut -c1-16)-node$major"
  if [ "$(cat "$VDIR/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "note: installing the validator's npm packages into $VDIR (npm ci)"
    rm -rf "$VDIR" && mkdir -p "$VDIR" &&
      cp "$DIR/validate/package.json" "$DIR/validate/package-lock.json" "$VDIR/"
    if ! (cd "$VDIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$WORK/npm.log" 2>&1; then
      tail -n 20 "$WORK/npm.log"
      echo "FAIL: npm ci for validate/ (see above)"; return 1
    fi
    echo "$stamp" >"$VDIR/.stamp"
  fi
  cp "$DIR"/validate/*.mjs "$VDIR/"
}

# promtool check config on the Prometheus config of each render given as NAME=FILE; $1: a scratch dir.
prom_check() {
  local out="$1" rc=0 lines name file log
  shift
  lines="$(node "$VDIR/prometheus-config.mjs" "$out" "$@")" || rc=1
  printf '%s\n' "$lines" | grep -v '^config ' | grep -v '^$'
  while read -r _ name file; do
    [ -n "$file" ] || continue
    log="$out/$name.promtool"
    if promtool check config "$file" >"$log" 2>&1; then
      echo "ok:   promtool check config: $name"
    elif grep -q 'field kubernetes_sd_configs not found' "$log"; then
      # Debian's promtool is built without Kubernetes service discovery: promtool checks the config with those
      # blocks replaced by static targets, prometheus-config.mjs checked the blocks themselves.
      if promtool check config "${file%.yml}.no-k8s-sd.yml" >"$log" 2>&1; then
        echo "ok:   promtool check config: $name (this promtool lacks Kubernetes SD: kubernetes_sd_configs checked by validate/prometheus-config.mjs, all else by promtool)"
      else
        sed 's/^/      /' "$log"; echo "FAIL: promtool check config: $name: $(grep -m1 -A1 'FAILED' "$log" | tr -s ' \n' ' ' | cut -c1-240)"; rc=1
      fi
    else
      sed 's/^/      /' "$log"; echo "FAIL: promtool check config: $name: $(grep -m1 -A1 'FAILED' "$log" | tr -s ' \n' ' ' | cut -c1-240)"; rc=1
    fi
  done < <(printf '%s\n' "$lines" | grep '^config ')
  return "$rc"
}

# Alert rules, their promtool tests and the Grafana dashboards of a monitoring directory $1 (rules/*.yml,
# rules/tests/*.yml, dashboards/*.json; each part checked when present); $2: a scratch dir.
monitoring_check() {
  local dir="$1" out="$2" rc=0 f rules=() tests=() dashes=()
  mkdir -p "$out"
  for f in "$dir"/rules/*.yml; do [ -f "$f" ] && rules+=("$f"); done
  for f in "$dir"/rules/tests/*.yml; do [ -f "$f" ] && tests+=("$f"); done
  for f in "$dir"/dashboards/*.json; do [ -f "$f" ] && dashes+=("$f"); done
  for f in "${rules[@]}"; do
    if promtool check rules "$f" >"$out/log" 2>&1; then
      echo "ok:   promtool check rules: ${f#"$DIR"/} ($(grep -o '[0-9]* rules found' "$out/log"))"
    else
      sed 's/^/      /' "$out/log"; echo "FAIL: promtool check rules: ${f#"$DIR"/}"; rc=1
    fi
  done
  if [ "${#rules[@]}" -gt 0 ]; then
    node "$VDIR/monitoring.mjs" coverage "${rules[@]}" -- "${tests[@]}" | sed "s|$DIR/||" || rc=1
  fi
  for f in "${tests[@]}"; do
    if promtool test rules "$f" >"$out/log" 2>&1; then
      echo "ok:   promtool test rules: ${f#"$DIR"/} ($(grep -cE '^ *- name:' "$f") test cases)"
    else
      sed 's/^/      /' "$out/log" | head -n 40; echo "FAIL: promtool test rules: ${f#"$DIR"/}"; rc=1
    fi
  done
  if [ "${#dashes[@]}" -gt 0 ]; then
    node "$VDIR/monitoring.mjs" dashboards "$out/dashboard-queries.yml" "${dashes[@]}" | sed "s|$DIR/||" || rc=1
    if promtool check rules "$out/dashboard-queries.yml" >"$out/log" 2>&1; then
      echo "ok:   promtool parses every dashboard query ($(grep -o '[0-9]* rules found' "$out/log" | cut -d' ' -f1) expressions)"
    else
      sed 's/^/      /' "$out/log"
      echo "FAIL: dashboard queries parse: $(grep -m1 -oE 'group ".*' "$out/log" | cut -c1-240)"; rc=1
    fi
  fi
  return "$rc"
}

# Runs "$@" expecting it to fail; its output is indented, so its FAIL lines do not count.
expect_failure() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" | sed 's/^/      /'
    echo "FAIL: self-test: $what (it passed)"; return 1
  fi
  printf '%s\n' "$out" | grep -E '^FAIL' | sed 's/^FAIL: /      rejected: /' | head -n 5
  echo "ok:   self-test: $what"
}

main() {
  local rc=0 tool rendered="$WORK/rendered" node_ok=0 f ov renders=()
  echo "== Strata kubernetes manifests: $DIR"

  tool="$(renderer)"
  [ -n "$tool" ] || { apt_install kubectl; tool="$(renderer)"; }
  mkdir -p "$rendered"
  if [ -n "$tool" ]; then
    echo "note: rendering overlays with '$tool'"
    render_overlays "$rendered" "$tool"
  else
    echo "FAIL: overlays cannot be rendered: neither kustomize nor kubectl (apt-get install kubectl)"; rc=1
  fi
  for f in "$rendered"/*.yaml; do
    [ -f "$f" ] || continue
    ov="$(basename "$f" .yaml)"
    grep -q render-failed "$rendered/$ov.err" || renders+=("$ov=$f")
  done

  echo "== manifests and rendered overlays"
  if have_pyyaml; then
    full_check "$([ -n "$tool" ] && echo "$rendered" || echo -)" || rc=1
    if [ -n "$tool" ]; then
      echo "== production HA components in the renders (validate/ha-checks.py)"
      "$PY" "$DIR/validate/ha-checks.py" "$DIR" "$rendered" || rc=1
      if [ -s "$rendered/production-gateway.yaml" ]; then
        "$PY" "$DIR/validate/ha-checks.py" "$DIR" --self-test "$rendered/production-gateway.yaml" || rc=1
      fi
    fi
  else
    basic_check || rc=1
    for f in "$rendered"/*.err; do
      [ -f "$f" ] || continue
      ov="$(basename "$f" .err)"
      if grep -q render-failed "$f"; then echo "FAIL: overlays/$ov renders: $(head -n 1 "$f")"; rc=1
      else echo "ok:   overlays/$ov renders"; fi
    done
  fi

  if have_pyyaml && [ "${#renders[@]}" -gt 0 ]; then
    echo "== Pod Security 'restricted' in every render (validate/pod-security.py)"
    "$PY" "$DIR/validate/pod-security.py" "${renders[@]}" || rc=1
    "$PY" "$DIR/validate/pod-security.py" --self-test || rc=1
  fi

  echo "== every served /api/<prefix> is routed (Ingress, HTTPRoutes, local gateway)"
  routes_check || rc=1

  echo "== schemas and Secret references (validate/validate.mjs)"
  if node_setup; then node_ok=1; else rc=1; fi
  if [ "$node_ok" = 1 ]; then
    if [ "${#renders[@]}" -gt 0 ]; then
      node "$VDIR/validate.mjs" --allow "$DIR/validate/allow-kinds.json" --template-env "$DIR/secrets.example.env" \
        --operator-secrets "$DIR/validate/operator-secrets.json" --readme "$DIR/README.md" "${renders[@]}" || rc=1
    else
      echo "FAIL: no rendered overlay to validate"; rc=1
    fi
    echo "== self-test: the validator rejects the broken fixtures (validate/fixtures)"
    node "$VDIR/validate.mjs" --self-test "$DIR/validate/fixtures" || rc=1
    if [ -n "$tool" ]; then
      # secrets.env with only its first key: every other referenced key is missing from the generated Secrets
      grep -m1 -E '^[A-Za-z0-9_.-]+=' "$DIR/secrets.example.env" >"$WORK/partial.env"
      mkdir -p "$WORK/partial"
      render_overlays "$WORK/partial" "$tool" "$WORK/partial.env" local
      expect_failure "overlays/local rendered with a secrets.env lacking keys fails (missing Secret keys)" \
        node "$VDIR/validate.mjs" --allow "$DIR/validate/allow-kinds.json" "local=$WORK/partial/local.yaml" || rc=1
      # secrets.env with a placeholder the template does not have: a value nobody filled in
      sed -E 's/^(db-password)=.*/\1=changeme/' "$DIR/secrets.example.env" >"$WORK/placeholder.env"
      mkdir -p "$WORK/placeholder"
      render_overlays "$WORK/placeholder" "$tool" "$WORK/placeholder.env" local
      expect_failure "overlays/local rendered with a placeholder secret value fails" \
        node "$VDIR/validate.mjs" --allow "$DIR/validate/allow-kinds.json" --template-env "$DIR/secrets.example.env" \
        "local=$WORK/placeholder/local.yaml" || rc=1
    fi
    # the real (git-ignored) secrets.env, when there is one: no value may still be a placeholder
    if [ -f "$DIR/overlays/local/secrets.env" ]; then
      if grep -nE '^[A-Za-z0-9_.-]+=(.*(change-?me|replace-?me|changeit).*|<.*>|TODO|todo|)$' "$DIR/overlays/local/secrets.env" | cut -d= -f1 | sed 's/^/      placeholder: /'; then
        echo "FAIL: overlays/local/secrets.env still holds placeholder values (keys above)"; rc=1
      else echo "ok:   overlays/local/secrets.env holds no placeholder value"; fi
    fi
  fi

  echo "== promtool check config (Prometheus config of every overlay)"
  command -v promtool >/dev/null 2>&1 || apt_install prometheus
  if ! command -v promtool >/dev/null 2>&1; then
    echo "FAIL: promtool not found (apt-get install prometheus)"; rc=1
  elif [ "$node_ok" = 1 ]; then
    if [ "${#renders[@]}" -gt 0 ]; then prom_check "$WORK/prom" "${renders[@]}" || rc=1; fi
    echo "== self-test: broken Prometheus configs are rejected (validate/fixtures/prometheus)"
    for f in "$DIR"/validate/fixtures/prometheus/*.yaml; do
      expect_failure "Prometheus config of ${f#"$DIR"/} is rejected" \
        prom_check "$WORK/prom-selftest" "$(basename "$f" .yaml)=$f" || rc=1
    done
  else
    echo "note: promtool not run: the config is extracted with node (see the FAIL above)"
  fi

  echo "== alert rules, rule tests and dashboards (base/monitoring)"
  if ! command -v promtool >/dev/null 2>&1 || [ "$node_ok" != 1 ]; then
    echo "FAIL: alert rules and dashboards not checked: promtool and node are needed (see above)"; rc=1
  else
    for f in rules/*.yml rules/tests/*.yml dashboards/*.json; do
      compgen -G "$DIR/base/monitoring/$f" >/dev/null || { echo "FAIL: base/monitoring/$f: none found"; rc=1; }
    done
    monitoring_check "$DIR/base/monitoring" "$WORK/monitoring" || rc=1
    if [ "${#renders[@]}" -gt 0 ]; then
      node "$VDIR/monitoring.mjs" render "$DIR/base/monitoring/dashboards" "${renders[@]}" || rc=1
    fi
    echo "== self-test: broken rules, rule tests and dashboards are rejected (validate/fixtures/monitoring)"
    for f in "$DIR"/validate/fixtures/monitoring/*/; do
      expect_failure "${f#"$DIR"/} is rejected" \
        monitoring_check "${f%/}" "$WORK/monitoring-selftest/$(basename "$f")" || rc=1
    done
  fi
  return "$rc"
}

start=$SECONDS
main 2>&1 | tee "$WORK/log"
rc="${PIPESTATUS[0]}"
passed="$(grep -c '^ok:' "$WORK/log")"
failed="$(grep -c '^FAIL:' "$WORK/log")"
echo "== $((SECONDS - start)) s"
echo "check: $passed passed, $failed failed"
if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then exit 1; fi
