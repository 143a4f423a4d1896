#!/usr/bin/env python3
# Pod Security Standards "restricted" (the level the strata Namespace enforces) for every pod template of the
# rendered overlays: an object that breaks it would be refused at admission in the cluster, long after CI passed.
#   pod-security.py <overlay>=<render.yaml> ...   |   pod-security.py --self-test
# Checked per container (init containers included): runAsNonRoot true (container or pod), runAsUser not 0,
# allowPrivilegeEscalation false, capabilities drop ALL and add nothing but NET_BIND_SERVICE, not privileged,
# seccompProfile RuntimeDefault or Localhost; per pod: no host namespaces, no hostPath volumes, no host ports.
# Also: the rendered strata Namespace carries pod-security.kubernetes.io/enforce: restricted.
import sys

import yaml

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod", "CronJob"}


def pod_spec(d):
    if d["kind"] == "Pod":
        return d["spec"]
    if d["kind"] == "CronJob":
        return d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return d["spec"]["template"]["spec"]


def violations(d):
    p = pod_spec(d)
    psc = p.get("securityContext") or {}
    out = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if p.get(key):
            out.append(key)
    out += [f"hostPath volume {v['name']}" for v in p.get("volumes") or [] if "hostPath" in v]
    for c in (p.get("initContainers") or []) + (p.get("containers") or []):
        sc = c.get("securityContext") or {}
        n = c["name"]
        caps = sc.get("capabilities") or {}
        if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
            out.append(f"{n}: runAsNonRoot")
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            out.append(f"{n}: runAsUser 0")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{n}: allowPrivilegeEscalation")
        if sc.get("privileged"):
            out.append(f"{n}: privileged")
        if "ALL" not in (caps.get("drop") or []):
            out.append(f"{n}: capabilities drop ALL")
        if [a for a in caps.get("add") or [] if a != "NET_BIND_SERVICE"]:
            out.append(f"{n}: capabilities add")
        if (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
            out.append(f"{n}: seccompProfile")
        if any(port.get("hostPort") for port in c.get("ports") or []):
            out.append(f"{n}: hostPort")
    return out


def check(overlay, docs):
    failed = 0
    for d in docs:
        if d.get("kind") in WORKLOADS:
            v = violations(d)
            name = f"{d['kind']} {d['metadata']['name']}"
            if v:
                failed += 1
                print(f"FAIL: overlays/{overlay}: {name} breaks Pod Security 'restricted': {', '.join(v)}")
            else:
                print(f"ok:   overlays/{overlay}: {name} meets Pod Security 'restricted'")
    ns = [d for d in docs if d.get("kind") == "Namespace" and d["metadata"]["name"] == "strata"]
    labels = (ns[0]["metadata"].get("labels") or {}) if ns else {}
    if labels.get("pod-security.kubernetes.io/enforce") == "restricted":
        print(f"ok:   overlays/{overlay}: Namespace strata enforces Pod Security 'restricted'")
    else:
        failed += 1
        print(f"FAIL: overlays/{overlay}: Namespace strata enforces Pod Security 'restricted'")
    return failed


def self_test():
    good = {"kind": "Deployment", "metadata": {"name": "good"}, "spec": {"template": {"spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False,
                                                          "capabilities": {"drop": ["ALL"]}}}]}}}}
    import copy
    cases = {
        "root user": lambda p: p["containers"][0]["securityContext"].update(runAsUser=0),
        "no seccomp": lambda p: p["securityContext"].pop("seccompProfile"),
        "escalation": lambda p: p["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
        "caps": lambda p: p["containers"][0]["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
        "hostPath": lambda p: p.update(volumes=[{"name": "h", "hostPath": {"path": "/"}}]),
        "root init": lambda p: p.update(initContainers=[{"name": "i", "securityContext": {"runAsNonRoot": False}}]),
    }
    failed = 0 if not violations(good) else 1
    print(("ok:   " if not failed else "FAIL: ") + "self-test: a restricted pod passes")
    for name, breaks in cases.items():
        bad = copy.deepcopy(good)
        breaks(bad["spec"]["template"]["spec"])
        if violations(bad):
            print(f"ok:   self-test: a pod with {name} is rejected")
        else:
            failed += 1
            print(f"FAIL: self-test: a pod with {name} is rejected")
    return failed


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if self_test() else 0)
    total = 0
    for arg in sys.argv[1:]:
        overlay, path = arg.split("=", 1)
        with open(path) as f:
            total += check(overlay, [d for d in yaml.safe_load_all(f) if d])
    sys.exit(1 if total else 0)
