// Checks of the alert rules, their promtool tests and the Grafana dashboards of base/monitoring (run by ../check.sh,
// which also runs promtool itself).
//
//   node monitoring.mjs coverage RULES.yml... -- TESTS.yml...
//     every alert of the rule files has at least one promtool test case where it fires (exp_alerts not empty)
//     and one where it must not (exp_alerts empty), and every test file loads one of the rule files
//   node monitoring.mjs dashboards OUT.yml DASHBOARD.json...
//     every file parses as JSON and is a dashboard (uid, title, panels with gridPos; uids unique), every panel
//     and query uses the provisioned Prometheus datasource (uid "prometheus"), every query has an expression.
//     The expressions, Grafana variables replaced ($__rate_interval -> 5m, $var -> x), are written to OUT.yml
//     as recording rules (record dashboard:<file>:<panel id><refId>) for `promtool check rules`, which parses
//     them: promtool 2.42 has no command that parses a bare expression.
//   node monitoring.mjs render DASHBOARD_DIR NAME=rendered.yaml...
//     in each render, prometheus.yml's rule_files load every rule file of the Prometheus ConfigMap, and the
//     grafana Deployment's ConfigMap volumes all exist and together hold exactly the dashboard files of
//     DASHBOARD_DIR
// Prints "ok:" / "FAIL:" lines; exit status 1 on any failure.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const DATASOURCE_UID = "prometheus";
let failures = 0;
const ok = (m) => console.log(`ok:   ${m}`);
const fail = (m) => { failures++; console.log(`FAIL: ${m}`); };
const isMap = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const rel = (f) => f; // check.sh shortens the paths

function readYaml(file) {
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
  if (doc.errors.length) throw new Error(doc.errors[0].message);
  return doc.toJS();
}

function coverage(args) {
  const sep = args.indexOf("--");
  const rules = sep < 0 ? args : args.slice(0, sep);
  const tests = sep < 0 ? [] : args.slice(sep + 1);
  const alerts = new Map(); // name -> {fires, quiet}
  for (const f of rules) {
    let doc;
    try { doc = readYaml(f); } catch (e) { fail(`${rel(f)}: parses: ${e.message}`); continue; }
    for (const g of (doc && doc.groups) || []) {
      for (const r of g.rules || []) if (r.alert) alerts.set(r.alert, { fires: [], quiet: [] });
    }
  }
  const ruleNames = new Set(rules.map((f) => path.resolve(f)));
  for (const f of tests) {
    let doc;
    try { doc = readYaml(f); } catch (e) { fail(`${rel(f)}: parses: ${e.message}`); continue; }
    const loads = ((doc && doc.rule_files) || []).map((r) => path.resolve(path.dirname(f), r));
    if (!loads.some((r) => ruleNames.has(r))) fail(`${rel(f)}: rule_files names none of the checked rule files`);
    for (const [i, t] of ((doc && doc.tests) || []).entries()) {
      for (const a of t.alert_rule_test || []) {
        const entry = alerts.get(a.alertname);
        if (!entry) { fail(`${rel(f)}: test ${i + 1} (${t.name || "unnamed"}) tests alert ${a.alertname}, which no rule file defines`); continue; }
        ((a.exp_alerts || []).length ? entry.fires : entry.quiet).push(`${path.basename(f)} at ${a.eval_time}`);
      }
    }
  }
  if (!alerts.size) fail("no alert rules found");
  for (const [name, { fires, quiet }] of alerts) {
    if (fires.length && quiet.length) ok(`alert ${name} is tested firing (${fires[0]}) and not firing (${quiet[0]})`);
    else fail(`alert ${name} needs promtool tests where it fires and where it does not (firing: ${fires.length}, not firing: ${quiet.length})`);
  }
}

// Grafana variables in an expression: $__rate_interval, $__interval, ${var}, $var, [[var]].
const substitute = (e) => e
  .replace(/\$__(rate_)?interval\b|\$\{__(rate_)?interval\}|\$__range\b/g, "5m")
  .replace(/\$\{[^}]+\}|\$[A-Za-z_]\w*|\[\[\w+\]\]/g, "x");

function dashboards([out, ...files]) {
  const groups = [];
  const uids = new Map();
  if (!files.length) fail("no dashboards given");
  for (const f of files) {
    const base = path.basename(f).replace(/\.json$/, "");
    let d;
    try { d = JSON.parse(fs.readFileSync(f, "utf8")); } catch (e) { fail(`${rel(f)}: parses as JSON: ${e.message}`); continue; }
    const errs = [];
    if (!isMap(d)) { fail(`${rel(f)}: not a JSON object`); continue; }
    if (!d.uid || typeof d.uid !== "string") errs.push("no uid");
    else if (uids.has(d.uid)) errs.push(`uid ${d.uid} also used by ${uids.get(d.uid)}`);
    else uids.set(d.uid, path.basename(f));
    if (!d.title) errs.push("no title");
    if (!Array.isArray(d.panels) || !d.panels.length) errs.push("no panels");
    const rules = [];
    const ids = new Set();
    const walk = (panels) => {
      for (const p of panels || []) {
        const where = `panel ${p.id} "${p.title}"`;
        if (typeof p.id !== "number") errs.push(`${where}: no numeric id`);
        else if (ids.has(p.id)) errs.push(`${where}: duplicate id`);
        ids.add(p.id);
        if (!isMap(p.gridPos)) errs.push(`${where}: no gridPos`);
        if (p.type === "row") { walk(p.panels); continue; }
        if (!Array.isArray(p.targets) || !p.targets.length) { errs.push(`${where}: no queries`); continue; }
        for (const t of p.targets) {
          const ds = t.datasource || p.datasource;
          if (!ds || ds.uid !== DATASOURCE_UID) errs.push(`${where} query ${t.refId}: datasource is not uid "${DATASOURCE_UID}" (the provisioned Prometheus)`);
          if (typeof t.expr !== "string" || !t.expr.trim()) { errs.push(`${where} query ${t.refId}: no expression`); continue; }
          rules.push({ record: `dashboard:${base.replace(/[^A-Za-z0-9_]/g, "_")}:panel${p.id}${t.refId}`, expr: substitute(t.expr) });
        }
      }
    };
    walk(d.panels);
    if (errs.length) for (const e of errs) fail(`${rel(f)}: ${e}`);
    else ok(`${rel(f)}: dashboard "${d.title}" (uid ${d.uid}): ${ids.size} panels, ${rules.length} queries on datasource ${DATASOURCE_UID}`);
    if (rules.length) groups.push({ name: path.basename(f), rules });
  }
  fs.writeFileSync(out, YAML.stringify({ groups }));
}

function render([dashDir, ...renders]) {
  const want = fs.readdirSync(dashDir).filter((f) => f.endsWith(".json")).sort();
  for (const arg of renders) {
    const [name, file] = arg.split(/=(.*)/s);
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter(isMap);
    // every rule file shipped in the Prometheus ConfigMap is loaded (rule_files), none silently unused
    const prom = docs.find((d) => d.kind === "Deployment" && (d.metadata || {}).name === "prometheus");
    const promVol = prom && (prom.spec.template.spec.volumes || []).find((v) => v.name === "config" && v.configMap);
    const promCm = promVol && docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === promVol.configMap.name);
    if (!promCm || !(promCm.data || {})["prometheus.yml"]) fail(`${name}: no Prometheus ConfigMap with prometheus.yml mounted as volume "config"`);
    else {
      const loaded = new Set(((YAML.parse(promCm.data["prometheus.yml"]) || {}).rule_files || []).map((r) => path.basename(r)));
      const shipped = Object.keys(promCm.data).filter((k) => k !== "prometheus.yml" && /\.ya?ml$/.test(k));
      const unused = shipped.filter((k) => !loaded.has(k));
      if (!shipped.length) fail(`${name}: ConfigMap ${promCm.metadata.name} holds no rule file`);
      else if (unused.length) fail(`${name}: rule files in ${promCm.metadata.name} that rule_files does not load: ${unused.join(", ")}`);
      else ok(`${name}: Prometheus loads every rule file of its ConfigMap (${shipped.join(", ")})`);
    }
    const dep = docs.find((d) => d.kind === "Deployment" && (d.metadata || {}).name === "grafana");
    if (!dep) { fail(`${name}: no Deployment grafana`); continue; }
    const cms = new Map(docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d]));
    const refs = [];
    for (const v of dep.spec.template.spec.volumes || []) {
      if (v.configMap) refs.push(v.configMap.name);
      for (const s of (v.projected || {}).sources || []) if (s.configMap) refs.push(s.configMap.name);
    }
    const missing = refs.filter((r) => !cms.has(r));
    if (missing.length) { fail(`${name}: grafana mounts ConfigMaps that the render lacks: ${missing.join(", ")}`); continue; }
    const have = refs.flatMap((r) => Object.keys(cms.get(r).data || {})).filter((k) => k.endsWith(".json")).sort();
    if (JSON.stringify(have) === JSON.stringify(want)) ok(`${name}: grafana mounts every dashboard of ${path.basename(dashDir)}/ (${want.length}) from existing ConfigMaps`);
    else fail(`${name}: grafana's dashboards (${have.join(", ")}) differ from ${path.basename(dashDir)}/ (${want.join(", ")})`);
  }
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === "coverage") coverage(args);
  else if (cmd === "dashboards") dashboards(args);
  else if (cmd === "render") render(args);
  else throw new Error("usage: monitoring.mjs coverage|dashboards|render ...");
} catch (e) { fail(e.stack || String(e)); }
process.exit(failures ? 1 : 0);
