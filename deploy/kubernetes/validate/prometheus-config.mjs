// Extracts the Prometheus configuration of each rendered overlay for `promtool check config` (run by ../check.sh).
//
//   node prometheus-config.mjs OUTDIR NAME=rendered.yaml ...
//
// In each render it finds the Deployment "prometheus", its --config.file argument and the ConfigMap volume
// mounted over that file's directory, and writes every key of that ConfigMap to OUTDIR/NAME/ (absolute
// paths under the mount directory inside prometheus.yml are rewritten to OUTDIR/NAME/, so rule_files
// resolve). It prints one line per render: "config NAME FILE" (FILE: the main config file).
// Credential files (credentials_file, bearer_token_file, TLS files) on another volume of the container
// become empty placeholders, since promtool checks that they exist.
//
// Debian's promtool is built without Kubernetes service discovery (it rejects kubernetes_sd_configs as an
// unknown field). For such a promtool, FILE.no-k8s-sd.yml is written next to FILE: the same config with
// every kubernetes_sd_configs block checked here (fields and values, per the Prometheus configuration
// reference) and replaced by a static target, so promtool still checks everything else (globals, scrape
// settings, every relabel rule and regex, rule files). Problems found in those blocks are printed as
// "FAIL: ..." lines. Exit status 1 when a render has no Prometheus config or a block is wrong.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const ROLES = new Set(["node", "service", "pod", "endpoints", "endpointslice", "ingress"]);
const HTTP_CLIENT = ["basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file", "follow_redirects",
  "enable_http2", "tls_config", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header",
  "http_headers"];
const K8S_SD_FIELDS = new Set(["api_server", "role", "kubeconfig_file", "namespaces", "selectors", "attach_metadata",
  ...HTTP_CLIENT]);

let failures = 0;
const fail = (m) => { failures++; console.log(`FAIL: ${m}`); };
const isMap = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

function checkK8sSd(sd, where) {
  if (!isMap(sd)) return fail(`${where}: not a mapping`);
  for (const k of Object.keys(sd)) if (!K8S_SD_FIELDS.has(k)) fail(`${where}: unknown field ${k}`);
  if (!ROLES.has(sd.role)) fail(`${where}: role must be one of ${[...ROLES].join(", ")} (got ${JSON.stringify(sd.role)})`);
  if (sd.api_server !== undefined && sd.kubeconfig_file !== undefined) fail(`${where}: api_server and kubeconfig_file are exclusive`);
  if (sd.namespaces !== undefined) {
    const ns = sd.namespaces;
    if (!isMap(ns)) fail(`${where}.namespaces: not a mapping`);
    else {
      for (const k of Object.keys(ns)) if (!["own_namespace", "names"].includes(k)) fail(`${where}.namespaces: unknown field ${k}`);
      if (ns.own_namespace !== undefined && typeof ns.own_namespace !== "boolean") fail(`${where}.namespaces.own_namespace: not a boolean`);
      if (ns.names !== undefined && !(Array.isArray(ns.names) && ns.names.every((n) => typeof n === "string"))) {
        fail(`${where}.namespaces.names: not a list of strings`);
      }
    }
  }
  for (const [i, s] of (sd.selectors || []).entries()) {
    if (!isMap(s)) { fail(`${where}.selectors[${i}]: not a mapping`); continue; }
    for (const k of Object.keys(s)) if (!["role", "label", "field"].includes(k)) fail(`${where}.selectors[${i}]: unknown field ${k}`);
    if (!ROLES.has(s.role)) fail(`${where}.selectors[${i}].role: not a valid role`);
  }
  if (sd.attach_metadata !== undefined) {
    if (!isMap(sd.attach_metadata)) fail(`${where}.attach_metadata: not a mapping`);
    else for (const [k, v] of Object.entries(sd.attach_metadata)) {
      if (!["node", "namespace"].includes(k)) fail(`${where}.attach_metadata: unknown field ${k}`);
      else if (typeof v !== "boolean") fail(`${where}.attach_metadata.${k}: not a boolean`);
    }
  }
}

function main([outDir, ...renders]) {
  if (!outDir || !renders.length) throw new Error("usage: prometheus-config.mjs OUTDIR NAME=rendered.yaml ...");
  for (const arg of renders) {
    const [name, file] = arg.split(/=(.*)/s);
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter(isMap);
    const dep = docs.find((d) => d.kind === "Deployment" && (d.metadata || {}).name === "prometheus");
    if (!dep) { fail(`${name}: no Deployment prometheus in the render`); continue; }
    const pod = dep.spec.template.spec;
    const c = (pod.containers || []).find((x) => (x.args || []).some((a) => String(a).startsWith("--config.file=")));
    if (!c) { fail(`${name}: prometheus has no --config.file argument`); continue; }
    const configFile = c.args.find((a) => String(a).startsWith("--config.file=")).slice("--config.file=".length);
    const mount = (c.volumeMounts || []).find((m) => configFile.startsWith(m.mountPath.replace(/\/?$/, "/")));
    const vol = mount && (pod.volumes || []).find((v) => v.name === mount.name);
    const cmName = vol && vol.configMap && vol.configMap.name;
    const cm = cmName && docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === cmName);
    if (!cm) { fail(`${name}: no ConfigMap mounted at ${configFile}'s directory`); continue; }
    const dir = path.join(outDir, name);
    fs.mkdirSync(dir, { recursive: true });
    const mountDir = mount.mountPath.replace(/\/?$/, "/");
    for (const [k, v] of Object.entries(cm.data || {})) {
      fs.writeFileSync(path.join(dir, k), String(v).split(mountDir).join(dir + "/"));
    }
    const main = path.join(dir, path.relative(mountDir, configFile));
    if (!fs.existsSync(main)) { fail(`${name}: ConfigMap ${cmName} has no key for ${configFile}`); continue; }
    // Credential files on another volume of the container (an emptyDir an init container fills, a Secret):
    // promtool wants them to exist, so they become empty placeholders under OUTDIR/NAME/_volumes/<volume>/.
    const credRe = /^(\s*(?:credentials_file|bearer_token_file|password_file|ca_file|cert_file|key_file):\s*)(\/\S+)\s*$/gm;
    const text = fs.readFileSync(main, "utf8").replace(credRe, (line, key, file) => {
      const m = (c.volumeMounts || []).find((v) => v !== mount && file.startsWith(v.mountPath.replace(/\/?$/, "/")));
      if (!m) return line;
      const local = path.join(dir, "_volumes", m.name, path.relative(m.mountPath, file));
      fs.mkdirSync(path.dirname(local), { recursive: true });
      fs.writeFileSync(local, "");
      return key + local;
    });
    fs.writeFileSync(main, text);
    console.log(`config ${name} ${main}`);

    // The variant for a promtool without Kubernetes SD.
    const doc = YAML.parseDocument(fs.readFileSync(main, "utf8"));
    if (doc.errors.length) continue; // promtool reports it
    const cfg = doc.toJS() || {};
    for (const [i, job] of (cfg.scrape_configs || []).entries()) {
      if (!isMap(job) || job.kubernetes_sd_configs === undefined) continue;
      const where = `${name}: prometheus config scrape_configs[${i}] (${job.job_name}) kubernetes_sd_configs`;
      if (!Array.isArray(job.kubernetes_sd_configs)) fail(`${where}: not a list`);
      else job.kubernetes_sd_configs.forEach((sd, j) => checkK8sSd(sd, `${where}[${j}]`));
      delete job.kubernetes_sd_configs;
      job.static_configs = [...(job.static_configs || []), { targets: ["kubernetes-sd.invalid:80"] }];
    }
    fs.writeFileSync(main.replace(/\.ya?ml$/, "") + ".no-k8s-sd.yml", YAML.stringify(cfg));
  }
  return failures ? 1 : 0;
}

try { process.exit(main(process.argv.slice(2))); } catch (e) { console.log(`FAIL: ${e.stack || e}`); process.exit(2); }
