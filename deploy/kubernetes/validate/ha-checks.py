#!/usr/bin/env python3
# Checks of the rendered overlays for the production HA components (run by ../check.sh after its own manifest checks;
# needs PyYAML). For every <overlay>.yaml in RENDERED_DIR (skipping renders whose <overlay>.err says render-failed):
#   - components/postgres-cnpg: the CloudNativePG Cluster has >= 3 instances, WAL archiving to S3 and a
#     ScheduledBackup; the single postgres is gone; every database service signs in as its own role from its own
#     Secret strata-db-<schema> (username/password) and that role owns schema <schema>
#   - components/minio-distributed: >= 4 MinIO pods started in parallel, each listing every drive
#   - components/network-policies-strict: default deny in and out, no ingress rule open to everyone, only
#     storage-gateway (and MinIO's peers, and Prometheus for /minio/v2/metrics) reach MinIO
#   - HTTPRoutes (components/gateway-api) route only /api/ paths to the services, like the Ingresses
# and once: the PITR Cluster of README.md equals the schema-checked one in fixtures/cnpg-and-gateway.yaml.
#
#   ha-checks.py ROOT RENDERED_DIR          ROOT: deploy/kubernetes
#   ha-checks.py ROOT --self-test RENDER    RENDER: the production-gateway render; one broken copy per invariant
#                                           must each draw a FAIL
# Prints "ok: ..." / "FAIL: ..." lines; exits 1 on any failure.
import copy, glob, io, os, re, sys
import yaml

SERVICES = {"auth-service", "kyc-service", "settings-service", "rates-service", "storage-gateway"}
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


def check_render(overlay, rdocs):
    # HA stores (components/postgres-cnpg, components/minio-distributed, components/network-policies-strict)
    pg = [d for d in rdocs if d.get("kind") == "Cluster" and str(d.get("apiVersion", "")).startswith("postgresql.cnpg.io/")]
    if pg:
        spec, cname = pg[0].get("spec") or {}, pg[0]["metadata"]["name"]
        store = (spec.get("backup") or {}).get("barmanObjectStore") or {}
        check(spec.get("instances", 0) >= 3 and store.get("destinationPath") and (store.get("wal") or {}).get("compression")
              and any(d.get("kind") == "ScheduledBackup" and d["spec"]["cluster"]["name"] == cname for d in rdocs),
              f"overlays/{overlay} (CloudNativePG): {cname} has >= 3 instances, WAL archiving to S3 and a ScheduledBackup")
        check(not any(d.get("kind") == "StatefulSet" and d["metadata"]["name"] == "postgres" for d in rdocs),
              f"overlays/{overlay} (CloudNativePG) drops the single postgres")
        roles = {r["name"]: (r.get("passwordSecret") or {}).get("name") for r in (spec.get("managed") or {}).get("roles") or []}
        schemas = {s_["name"]: s_.get("owner") for d in rdocs if d.get("kind") == "Database" for s_ in d["spec"].get("schemas") or []}
        for d in rdocs:
            name = d.get("metadata", {}).get("name")
            if d.get("kind") != "Deployment" or name not in SERVICES or name == "storage-gateway":
                continue
            schema = name.split("-")[0]
            env = {e["name"]: ((e.get("valueFrom") or {}).get("secretKeyRef") or {}) for e in d["spec"]["template"]["spec"]["containers"][0].get("env") or []}
            user, pw = env.get("QUARKUS_DATASOURCE_USERNAME") or {}, env.get("QUARKUS_DATASOURCE_PASSWORD") or {}
            check(user.get("name") == pw.get("name") == roles.get(schema) == f"strata-db-{schema}" and schemas.get(schema) == schema
                  and (user.get("key"), pw.get("key")) == ("username", "password"),
                  f"overlays/{overlay} (CloudNativePG): {name} signs in as role {schema} (Secret strata-db-{schema}), owner of schema {schema}")
    minio = [d for d in rdocs if d.get("kind") == "StatefulSet" and d["metadata"]["name"] == "minio"]
    if minio and (minio[0]["spec"].get("replicas") or 1) > 1:
        args = " ".join(minio[0]["spec"]["template"]["spec"]["containers"][0].get("args") or [])
        check(minio[0]["spec"]["replicas"] >= 4 and minio[0]["spec"].get("podManagementPolicy") == "Parallel"
              and f"{{0...{minio[0]['spec']['replicas'] - 1}}}" in args,
              f"overlays/{overlay} (MinIO distributed): >= 4 pods started in parallel, each listing all drives")
    nps = [d for d in rdocs if d.get("kind") == "NetworkPolicy"]
    if any(d["metadata"]["name"] == "default-deny" for d in nps):
        dd = [d for d in nps if d["metadata"]["name"] == "default-deny"][0]["spec"]
        check(dd.get("podSelector") == {} and set(dd.get("policyTypes") or []) == {"Ingress", "Egress"}
              and not any(r == {} or "from" not in r for d in nps for r in d["spec"].get("ingress") or []),
              f"overlays/{overlay} (strict policies): default deny in and out; no ingress rule open to everyone")
        # port 9000 is also the services' management port: a rule to the service pods is not an S3 rule
        s3 = {str(p_.get("podSelector", {}).get("matchLabels", {}).get("app")) for d in nps
              for r in d["spec"].get("egress") or [] for p_ in r.get("to") or []
              if {"port": 9000, "protocol": "TCP"} in (r.get("ports") or [])
              and p_.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component") != "service"}
        check(s3 <= {"minio"} and all(d["spec"]["podSelector"].get("matchLabels", {}).get("app") in ("storage-gateway", "minio", "prometheus")
                                      for d in nps for r in d["spec"].get("egress") or [] for p_ in r.get("to") or []
                                      if p_.get("podSelector", {}).get("matchLabels", {}).get("app") == "minio"),
              f"overlays/{overlay} (strict policies): only storage-gateway (and MinIO's peers, and Prometheus for its metrics) reach MinIO")
    # HTTPRoutes (components/gateway-api): like the Ingresses, /api/... only
    for d in rdocs:
        if d.get("kind") != "HTTPRoute":
            continue
        for rule in d["spec"].get("rules") or []:
            for b in rule.get("backendRefs") or []:
                if b.get("name") in SERVICES:
                    paths = [(m.get("path") or {}).get("value", "/") for m in rule.get("matches") or [{}]]
                    check(all(p_.startswith("/api/") and "internal" not in p_ for p_ in paths),
                          f"overlays/{overlay}: HTTPRoute {d['metadata']['name']} routes only /api/ paths to {b['name']} ({', '.join(paths)})")



def check_readme(root):
    # The PITR Cluster of the README is the one the validator's fixture checks (schema), word for word.
    try:
        readme = open(os.path.join(root, "README.md")).read()
        m = re.search(r"   ```yaml\n(   apiVersion: postgresql.cnpg.io/v1\n.*?)   ```", readme, re.S)
        fixture = open(os.path.join(root, "validate", "fixtures", "cnpg-and-gateway.yaml")).read()
        at = fixture.find("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: strata-pg-pitr")
        check(m is not None and at >= 0 and "\n".join(l[3:] for l in m.group(1).splitlines()).strip() == fixture[at:].strip(),
              "README's PITR Cluster equals the schema-checked one in validate/fixtures/cnpg-and-gateway.yaml")
    except OSError as e:
        fail(f"README's PITR Cluster: {e}")


# one broken copy of a render per invariant: name -> how to break it
def breaks(docs):
    def find(kind, name):
        return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)

    def env(d, var):
        return next(e for e in d["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == var)

    return {
        "broken-cnpg-instances": lambda: find("Cluster", "strata-pg")["spec"].update(instances=1),
        "broken-shared-db-secret": lambda: [env(find("Deployment", "kyc-service"), v)["valueFrom"]["secretKeyRef"].update(name="strata-db-auth")
                                            for v in ("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")],
        "broken-minio-ordered": lambda: find("StatefulSet", "minio")["spec"].update(podManagementPolicy="OrderedReady"),
        "broken-deny-ingress-only": lambda: find("NetworkPolicy", "default-deny")["spec"].update(policyTypes=["Ingress"]),
        "broken-kyc-reaches-minio": lambda: find("NetworkPolicy", "services-egress")["spec"]["egress"].append(
            {"to": [{"podSelector": {"matchLabels": {"app": "minio"}}}], "ports": [{"port": 9000, "protocol": "TCP"}]}),
        "broken-route-internal": lambda: find("HTTPRoute", "rates-service")["spec"]["rules"][0]["matches"].append(
            {"path": {"type": "PathPrefix", "value": "/internal"}}),
    }


def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if isinstance(d, dict)]


def main(argv):
    global passed, failed
    root = argv[1]
    if argv[2] == "--self-test":
        saved = load(argv[3])
        for name in breaks(saved):
            docs = copy.deepcopy(saved)
            breaks(docs)[name]()
            # the checks' own output stays out of the log: this copy must draw a FAIL, shown indented
            before, buf = (passed, failed), io.StringIO()
            out, sys.stdout = sys.stdout, buf
            try:
                check_render(name, docs)
            finally:
                sys.stdout = out
            passed, failed = before
            fails = [l for l in buf.getvalue().splitlines() if l.startswith("FAIL: ")]
            if fails:
                print("      rejected: " + fails[0][len("FAIL: "):])
                ok(f"self-test: the rendered HA checks reject {name}")
            else:
                fail(f"self-test: the rendered HA checks accept {name}")
    else:
        check_readme(root)
        for out in sorted(glob.glob(os.path.join(argv[2], "*.yaml"))):
            err = out[:-5] + ".err"
            if os.path.exists(err) and "render-failed" in open(err).read():
                continue  # reported by check.sh
            check_render(os.path.basename(out)[:-5], load(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
