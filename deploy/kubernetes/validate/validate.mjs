// Offline validation of rendered Kubernetes manifests (run by ../check.sh; no cluster needed).
//
//   node validate.mjs [--allow allow-kinds.json] [--operator-secrets operator-secrets.json] [--readme README.md]
//                     [--template-env secrets.example.env] NAME=rendered.yaml ...
//   node validate.mjs --self-test fixtures/
//
// For every object of every rendered file:
//   1. schema: apiVersion/kind maps to its kubernetes-models class (Gateway API kinds to
//      @kubernetes-models/gateway-api, CloudNativePG kinds to @kubernetes-models/cloudnative-pg) and the class's
//      JSON-schema validator runs (types, enums, required fields). A kind with no model fails unless
//      allow-kinds.json lists it with a reason.
//   2. unknown fields: every field name must exist in the model's type declarations (the .d.ts files the
//      same packages ship), the offline counterpart of the API server's strict field validation; a typo
//      such as `readinesProbe` is otherwise dropped silently.
//   3. Secret references: every env secretKeyRef {name, key}, envFrom secretRef, secret volume (and its
//      items' keys), projected secret, imagePullSecret and Ingress TLS secretName must name a Secret of the
//      same render holding that key, or one listed for that render in operator-secrets.json (Secrets the
//      operator creates; each listed name and key must also appear in the README). optional: true refs
//      are skipped. CloudNativePG Cluster references count too (managed role passwordSecret: username and
//      password; barmanObjectStore s3Credentials keys; initdb/superuser secrets), and so do Gateway listener
//      certificateRefs (tls.crt, tls.key).
//   4. no placeholder secret: a Secret of a render whose value looks like a placeholder ("change-me...",
//      "changeme", "TODO", "<...>", empty) fails, unless the value is the one of the template given with
//      --template-env (check.sh renders the local overlays from secrets.example.env on purpose).
// Prints "ok: ..." / "FAIL: ..." lines; exits 1 on any failure.
//
// Self-test: each fixtures/*.yaml is checked as one render named after the file, with
// fixtures/operator-secrets.json and fixtures/allow-kinds.json. A document annotated check.strata.dev/expect-error: "<text>" must
// produce an error containing <text>; every other document must produce none.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const EXPECT = "check.strata.dev/expect-error";
let passed = 0, failed = 0;
const ok = (m) => { passed++; console.log(`ok:   ${m}`); };
const fail = (m) => { failed++; console.log(`FAIL: ${m}`); };

// ---------------------------------------------------------------------------------------------------------
// Model classes

// Packages holding models, tried in order; an apiVersion "group/version" is the module "<pkg>/group/version".
// CloudNativePG kinds (postgresql.cnpg.io/v1 Cluster, ScheduledBackup, Database, ...) come from
// @kubernetes-models/cloudnative-pg, generated from the operator's Go API types.
const MODEL_PACKAGES = ["kubernetes-models", "@kubernetes-models/gateway-api", "@kubernetes-models/cloudnative-pg"];
const modelCache = new Map();

async function modelFor(apiVersion, kind) {
  const id = `${apiVersion}/${kind}`;
  if (modelCache.has(id)) return modelCache.get(id);
  let found = null;
  if (typeof apiVersion === "string" && typeof kind === "string" && /^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion)
      && /^[A-Za-z0-9]+$/.test(kind)) {
    for (const pkg of MODEL_PACKAGES) {
      const spec = `${pkg}/${apiVersion}/${kind}`;
      let mod;
      try { mod = await import(spec); } catch { continue; }
      const cls = mod[kind];
      if (typeof cls === "function" && cls.apiVersion === apiVersion && cls.kind === kind) {
        const dts = resolveModule(fileURLToPath(import.meta.url), spec);
        found = { cls, dts, iface: `I${kind}` };
        break;
      }
    }
  }
  modelCache.set(id, found);
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Field names from the packages' type declarations (.d.ts): a small parser for the generated subset of
// TypeScript (interfaces, type aliases, Array<T>, index signatures, literal unions).

function tokenize(text) {
  const toks = [];
  const re = /\s+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_$][\w$]*|-?\d+(?:\.\d+)?|=>|[{}<>\[\]():;,|?=.&*]/gy;
  let m;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    m = re.exec(text);
    if (!m) { re.lastIndex = at + 1; continue; } // unknown character: skip it
    const t = m[0];
    if (/^\s/.test(t)) continue;
    if (t[0] === '"' || t[0] === "'") toks.push({ s: JSON.parse(t[0] === '"' ? t : `"${t.slice(1, -1).replace(/"/g, '\\"')}"`) });
    else toks.push(t);
  }
  return toks;
}

class TypeParser {
  constructor(toks) { this.t = toks; this.i = 0; }
  peek(o = 0) { return this.t[this.i + o]; }
  next() { return this.t[this.i++]; }
  eat(x) { if (this.peek() === x) { this.i++; return true; } return false; }
  expect(x) { const t = this.next(); if (t !== x) throw new Error(`expected ${x}, got ${JSON.stringify(t)}`); }
  type() {
    const members = [this.postfix()];
    while (this.eat("|")) members.push(this.postfix());
    while (this.eat("&")) members.push(this.postfix()); // intersections: treated like unions (lenient)
    return members.length === 1 ? members[0] : { union: members };
  }
  postfix() {
    let t = this.primary();
    while (this.peek() === "[") {
      if (this.peek(1) === "]") { this.i += 2; t = { array: t }; }
      else { this.i++; this.type(); this.expect("]"); t = { any: true }; } // indexed access: I["kind"]
    }
    return t;
  }
  primary() {
    const t = this.next();
    if (t === "{") return this.objectBody();
    if (t === "(") { const x = this.type(); this.expect(")"); return x; }
    if (typeof t === "object") return { lit: t.s };
    if (/^-?\d/.test(t)) return { lit: Number(t) };
    if (t === "import") { this.expect("("); this.next(); this.expect(")"); }
    else if (!/^[A-Za-z_$]/.test(t)) throw new Error(`unexpected ${JSON.stringify(t)}`);
    let name = t;
    while (this.eat(".")) name += "." + this.next();
    if (this.eat("<")) {
      const args = [this.type()];
      while (this.eat(",")) args.push(this.type());
      this.expect(">");
      return name === "Array" ? { array: args[0] } : { any: true };
    }
    return t === "import" ? { any: true } : { ref: name };
  }
  objectBody() { // after "{"
    const props = new Map();
    let index = null;
    while (!this.eat("}")) {
      if (this.eat("[")) {
        this.next(); this.expect(":"); this.type(); this.expect("]"); this.expect(":");
        index = this.type();
      } else {
        this.eat("readonly");
        const k = this.next();
        const key = typeof k === "object" ? k.s : k;
        this.eat("?");
        this.expect(":");
        props.set(key, this.type());
      }
      if (!this.eat(";")) this.eat(",");
    }
    return { object: { props, index } };
  }
}

const dtsCache = new Map();

function resolveModule(fromFile, spec) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(fromFile), spec).replace(/\.js$/, "") + ".d.ts";
  const parts = spec.split("/");
  const pkg = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = parts.slice(pkg.split("/").length).join("/");
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const root = path.join(dir, "node_modules", pkg);
    if (fs.existsSync(root)) {
      const base = path.join(root, sub);
      return fs.existsSync(base + ".d.ts") ? base + ".d.ts" : path.join(base, "index.d.ts");
    }
    if (path.dirname(dir) === dir) return null;
  }
}

function parseDts(file) {
  if (dtsCache.has(file)) return dtsCache.get(file);
  const out = { file, imports: new Map(), decls: new Map(), aliases: new Map() };
  dtsCache.set(file, out);
  let text;
  try { text = fs.readFileSync(file, "utf8"); } catch { return out; }
  text = text.replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"\s*;/g)) {
    const target = resolveModule(file, m[2]);
    for (const n of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      const [orig, local] = n.split(/\s+as\s+/);
      out.imports.set(local || orig, { file: target, name: orig });
    }
  }
  text = text.replace(/import\s*(?:type\s*)?\{[^}]*\}\s*from\s*"[^"]+"\s*;/g, " ");
  const toks = tokenize(text);
  const p = new TypeParser(toks);
  while (p.i < toks.length) {
    try {
      if (p.peek() === "export" && p.peek(1) === "interface") {
        p.i += 2;
        const name = p.next();
        const ext = [];
        if (p.eat("extends")) {
          do { const e = p.postfix(); ext.push(e); } while (p.eat(","));
        }
        p.expect("{");
        const body = p.objectBody();
        body.object.extends = ext;
        out.decls.set(name, body);
      } else if (p.peek() === "export" && p.peek(1) === "type" && p.peek(2) === "{") {
        p.i += 3;
        while (!p.eat("}")) {
          const orig = p.next();
          if (p.eat("as")) out.aliases.set(p.next(), orig); else out.aliases.set(orig, orig);
          p.eat(",");
        }
      } else if (p.peek() === "export" && p.peek(1) === "type" && p.peek(3) === "=") {
        p.i += 2;
        const name = p.next();
        p.expect("=");
        out.decls.set(name, p.type());
      } else {
        p.i++;
      }
    } catch {
      p.i++; // unparseable declaration: its fields are simply not checked
    }
  }
  return out;
}

const PRIMITIVES = new Set(["string", "number", "boolean", "any", "unknown", "object", "null", "undefined", "never"]);
const TYPE_META = { object: { props: new Map([["apiVersion", { any: true }], ["kind", { any: true }]]), index: null, extends: [] } };

function resolveRef(scope, name, depth = 0) {
  if (PRIMITIVES.has(name) || depth > 10) return null;
  if (name === "TypeMeta") return { t: TYPE_META, scope };
  if (scope.decls.has(name)) return { t: scope.decls.get(name), scope };
  const imp = scope.imports.get(name);
  if (imp && imp.file) {
    const f = parseDts(imp.file);
    const local = f.aliases.get(imp.name) || imp.name;
    if (f.decls.has(local)) return { t: f.decls.get(local), scope: f };
    return resolveRef(f, local, depth + 1);
  }
  return null;
}

// Resolves references and merges "extends" until an array/object/union/other node remains.
function deref(t, scope) {
  for (let n = 0; t && t.ref && n < 20; n++) {
    const r = resolveRef(scope, t.ref);
    if (!r) return null;
    ({ t, scope } = r);
  }
  if (!t || t.ref) return null;
  if (t.object && t.object.extends && t.object.extends.length) {
    const props = new Map();
    let index = t.object.index;
    for (const e of t.object.extends) {
      const r = deref(e, scope);
      if (r && r.t.object) {
        for (const [k, v] of r.t.object.props) props.set(k, { t: v, scope: r.scope });
        index = index || r.t.object.index;
      } else {
        index = index || { any: true }; // unknown base: do not report unknown fields
      }
    }
    for (const [k, v] of t.object.props) props.set(k, { t: v, scope });
    return { t: { merged: { props, index } }, scope };
  }
  return { t, scope };
}

function fieldsOf(t, scope) {
  if (t.merged) return t.merged;
  const props = new Map();
  for (const [k, v] of t.object.props) props.set(k, { t: v, scope });
  return { props, index: t.object.index };
}

const isPlainObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const fieldPath = (p, k) => (/^[A-Za-z_][\w-]*$/.test(k) ? (p ? `${p}.${k}` : k) : `${p}[${JSON.stringify(k)}]`);

function checkFields(data, t, scope, p, errs) {
  const r = deref(t, scope);
  if (!r) return;
  ({ t, scope } = r);
  if (t.array) {
    if (Array.isArray(data)) data.forEach((x, i) => checkFields(x, t.array, scope, `${p}[${i}]`, errs));
  } else if (t.union) {
    const shaped = t.union.map((m) => deref(m, scope)).filter((m) => m
      && (Array.isArray(data) ? m.t.array : isPlainObject(data) && (m.t.object || m.t.merged)));
    if (shaped.length === 1) checkFields(data, shaped[0].t, shaped[0].scope, p, errs);
  } else if ((t.object || t.merged) && isPlainObject(data)) {
    const { props, index } = fieldsOf(t, scope);
    for (const [k, v] of Object.entries(data)) {
      const f = props.get(k);
      if (f) checkFields(v, f.t, f.scope, fieldPath(p, k), errs);
      else if (index) { if (!index.any) checkFields(v, index, scope, fieldPath(p, k), errs); }
      else errs.push(`unknown field "${fieldPath(p, k)}"`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Secret references

function podSpecOf(d) {
  const s = d.spec || {};
  switch (d.kind) {
    case "Pod": return s;
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return (s.template || {}).spec;
    case "CronJob": return (((s.jobTemplate || {}).spec || {}).template || {}).spec;
    default: return null;
  }
}

// [{name, key?, optional, where}] for one object
function secretRefs(d) {
  const refs = [];
  const pod = podSpecOf(d);
  if (isPlainObject(pod)) {
    const containers = [...(pod.initContainers || []), ...(pod.containers || []), ...(pod.ephemeralContainers || [])];
    for (const c of containers) {
      for (const e of c.env || []) {
        const r = ((e || {}).valueFrom || {}).secretKeyRef;
        if (r) refs.push({ name: r.name, key: r.key, optional: r.optional === true, where: `container ${c.name} env ${e.name}` });
      }
      for (const e of c.envFrom || []) {
        const r = (e || {}).secretRef;
        if (r) refs.push({ name: r.name, optional: r.optional === true, where: `container ${c.name} envFrom` });
      }
    }
    for (const v of pod.volumes || []) {
      if (v.secret) {
        const items = v.secret.items || [];
        if (!items.length) refs.push({ name: v.secret.secretName, optional: v.secret.optional === true, where: `volume ${v.name}` });
        for (const it of items) refs.push({ name: v.secret.secretName, key: it.key, optional: v.secret.optional === true, where: `volume ${v.name}` });
      }
      for (const src of ((v.projected || {}).sources || [])) {
        if (!src.secret) continue;
        const items = src.secret.items || [];
        if (!items.length) refs.push({ name: src.secret.name, optional: src.secret.optional === true, where: `projected volume ${v.name}` });
        for (const it of items) refs.push({ name: src.secret.name, key: it.key, optional: src.secret.optional === true, where: `projected volume ${v.name}` });
      }
    }
    for (const s of pod.imagePullSecrets || []) refs.push({ name: s.name, optional: false, where: "imagePullSecrets" });
  }
  if (d.kind === "Cluster" && typeof d.apiVersion === "string" && d.apiVersion.startsWith("postgresql.cnpg.io/")) {
    const s = d.spec || {};
    const basicAuth = (name, where) => {
      for (const key of ["username", "password"]) refs.push({ name, key, optional: false, where });
    };
    for (const r of ((s.managed || {}).roles || [])) {
      if (r.passwordSecret) basicAuth(r.passwordSecret.name, `managed role ${r.name} passwordSecret`);
    }
    const initdb = (s.bootstrap || {}).initdb || {};
    if (initdb.secret) basicAuth(initdb.secret.name, "bootstrap.initdb.secret");
    if (s.superuserSecret) basicAuth(s.superuserSecret.name, "superuserSecret");
    const stores = [["backup.barmanObjectStore", ((s.backup || {}).barmanObjectStore)],
      ...((s.externalClusters || []).map((c) => [`externalClusters ${c.name} barmanObjectStore`, c.barmanObjectStore]))];
    for (const [where, store] of stores) {
      const c = (store || {}).s3Credentials || {};
      for (const f of ["accessKeyId", "secretAccessKey", "region", "sessionToken"]) {
        if (c[f]) refs.push({ name: c[f].name, key: c[f].key, optional: false, where: `${where}.s3Credentials.${f}` });
      }
    }
  }
  if (d.kind === "Gateway" && typeof d.apiVersion === "string" && d.apiVersion.startsWith("gateway.networking.k8s.io/")) {
    for (const l of ((d.spec || {}).listeners || [])) {
      for (const c of (((l || {}).tls || {}).certificateRefs || [])) {
        if ((c.kind || "Secret") !== "Secret" || (c.group || "") !== "" || (c.namespace && c.namespace !== (d.metadata || {}).namespace)) continue;
        for (const key of ["tls.crt", "tls.key"]) refs.push({ name: c.name, key, optional: false, where: `listener ${l.name} certificateRefs` });
      }
    }
  }
  if (d.kind === "Ingress") {
    for (const t of ((d.spec || {}).tls || [])) {
      if (t.secretName) {
        for (const key of ["tls.crt", "tls.key"]) refs.push({ name: t.secretName, key, optional: false, where: `tls ${(t.hosts || []).join(",")}` });
      }
    }
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------------------

const objName = (d) => `${d.kind || "?"} ${((d.metadata || {}).namespace ? d.metadata.namespace + "/" : "")}${(d.metadata || {}).name || "?"}`;

// A value nobody should deploy: the template's "change-me-..." and its relatives.
const PLACEHOLDER = /change-?me|replace-?me|changeit|^\s*$|^<[^>]*>$|^(todo|tbd|fixme|placeholder|secret|password|x{3,})$/i;

function secretValues(d) {
  const out = [];
  for (const [k, v] of Object.entries(d.stringData || {})) out.push([k, String(v)]);
  for (const [k, v] of Object.entries(d.data || {})) out.push([k, Buffer.from(String(v), "base64").toString("utf8")]);
  return out;
}

// Returns per-document error lists for one render.
async function checkRender(docs, { allow, operator, templateValues = new Set() }) {
  const errors = docs.map(() => []);
  const secrets = new Map();
  docs.forEach((d) => {
    if (d.kind === "Secret" && d.metadata && d.metadata.name) {
      const keys = new Set([...Object.keys(d.data || {}), ...Object.keys(d.stringData || {})]);
      secrets.set(d.metadata.name, keys);
    }
  });
  docs.forEach((d, i) => {
    if (!isPlainObject(d) || d.kind !== "Secret") return;
    for (const [k, v] of secretValues(d)) {
      if (PLACEHOLDER.test(v) && !templateValues.has(v)) errors[i].push(`Secret ${(d.metadata || {}).name} key ${k} holds a placeholder value`);
    }
  });
  for (const [i, d] of docs.entries()) {
    if (!isPlainObject(d)) { errors[i].push("document is not a mapping"); continue; }
    const model = await modelFor(d.apiVersion, d.kind);
    if (!model) {
      const reason = allow[`${d.apiVersion}/${d.kind}`];
      if (!reason) errors[i].push(`no schema for ${d.apiVersion} ${d.kind} (add it to validate/allow-kinds.json with a reason if it is a CRD kind)`);
      else d.__allowed = reason;
    } else {
      try {
        new model.cls(d).validate();
      } catch (e) {
        errors[i].push(`schema: ${String(e.message || e).replace(/(^|, )data\//g, "$1")}`);
      }
      const root = parseDts(model.dts);
      checkFields(d, { ref: model.iface }, root, "", errors[i]);
    }
    for (const r of secretRefs(d)) {
      if (r.optional) continue;
      if (typeof r.name !== "string" || !r.name) { errors[i].push(`${r.where}: Secret reference without a name`); continue; }
      const keys = secrets.get(r.name) || (operator[r.name] ? new Set(operator[r.name]) : null);
      if (!keys) errors[i].push(`${r.where}: Secret ${r.name} is neither in the render nor in operator-secrets.json`);
      else if (r.key !== undefined && !keys.has(r.key)) {
        errors[i].push(`${r.where}: Secret ${r.name} has no key ${r.key}` + (secrets.has(r.name) ? " (rendered Secret)" : " (operator-secrets.json)"));
      }
    }
  }
  return errors;
}

function readDocs(file) {
  const text = fs.readFileSync(file, "utf8");
  const docs = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const js = doc.toJS();
    if (js !== null && js !== undefined) docs.push(js);
  }
  return docs;
}

function readJson(file, what) {
  if (!file) return {};
  const j = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!isPlainObject(j)) throw new Error(`${what}: not a JSON object`);
  return j;
}

// operator-secrets.json: { "<render>": { "<secret>": ["key", ...] }, "_comment": ... }
// A string instead of an object names another render whose list applies (production-gateway: "production").
function operatorFor(all, render) {
  let o = all[render] || {};
  if (typeof o === "string") o = all[o] || {};
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("_")));
}

async function main(argv) {
  const opts = { allow: null, operatorSecrets: null, readme: null, selfTest: null, templateEnv: null, renders: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--allow") opts.allow = argv[++i];
    else if (a === "--operator-secrets") opts.operatorSecrets = argv[++i];
    else if (a === "--readme") opts.readme = argv[++i];
    else if (a === "--self-test") opts.selfTest = argv[++i];
    else if (a === "--template-env") opts.templateEnv = argv[++i];
    else if (a.includes("=")) opts.renders.push(a.split(/=(.*)/s).slice(0, 2));
    else opts.renders.push([path.basename(a).replace(/\.ya?ml$/, ""), a]);
  }
  const allowRaw = readJson(opts.allow, "allow-kinds.json");
  const allow = Object.fromEntries(Object.entries(allowRaw).filter(([k, v]) => !k.startsWith("_") && typeof v === "string" && v.trim()));

  if (opts.selfTest) {
    const dir = opts.selfTest;
    const operatorAll = readJson(path.join(dir, "operator-secrets.json"), "fixtures/operator-secrets.json");
    const allowFixture = readJson(path.join(dir, "allow-kinds.json"), "fixtures/allow-kinds.json");
    const allow = Object.fromEntries(Object.entries(allowFixture).filter(([k, v]) => !k.startsWith("_") && typeof v === "string" && v.trim()));
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (!files.length) fail(`self-test: no fixtures in ${dir}`);
    for (const f of files) {
      const render = f.replace(/\.ya?ml$/, "");
      const docs = readDocs(path.join(dir, f));
      const errors = await checkRender(docs, { allow, operator: operatorFor(operatorAll, render) });
      docs.forEach((d, i) => {
        const want = ((d.metadata || {}).annotations || {})[EXPECT];
        const got = errors[i];
        if (want) {
          if (got.some((e) => e.includes(want))) ok(`self-test ${f}: ${objName(d)} is rejected (${want})`);
          else fail(`self-test ${f}: ${objName(d)} should be rejected with "${want}", got ${got.length ? got.join("; ") : "no error"}`);
        } else if (got.length) fail(`self-test ${f}: ${objName(d)} should pass, got ${got.join("; ")}`);
        else ok(`self-test ${f}: ${objName(d)} passes`);
      });
    }
  } else {
    const operatorAll = readJson(opts.operatorSecrets, "operator-secrets.json");
    // values of the template env file (KEY=value lines): the renders check.sh makes from it may hold them
    const templateValues = new Set(!opts.templateEnv ? [] : fs.readFileSync(opts.templateEnv, "utf8").split("\n")
      .filter((l) => /^[A-Za-z0-9_.-]+=/.test(l)).map((l) => l.slice(l.indexOf("=") + 1)));
    if (opts.readme) {
      const readme = fs.readFileSync(opts.readme, "utf8");
      for (const [render, secrets] of Object.entries(operatorAll)) {
        if (render.startsWith("_") || typeof secrets === "string") continue;
        for (const [name, keys] of Object.entries(secrets)) {
          if (name.startsWith("_")) continue;
          const missing = [name, ...keys.filter((k) => !k.includes("."))].filter((w) => !readme.includes(w));
          if (missing.length) fail(`operator-secrets.json: ${render} ${name}: README does not mention ${missing.join(", ")}`);
          else ok(`operator-secrets.json: ${render} ${name} (${keys.join(", ")}) documented in the README`);
        }
      }
    }
    if (!opts.renders.length) fail("no rendered files given");
    for (const [render, file] of opts.renders) {
      let docs;
      try { docs = readDocs(file); } catch (e) { fail(`${render}: parses: ${e.message}`); continue; }
      if (!docs.length) { fail(`${render}: rendered no objects`); continue; }
      const operator = operatorFor(operatorAll, render);
      const errors = await checkRender(docs, { allow, operator, templateValues });
      let good = 0;
      docs.forEach((d, i) => {
        if (errors[i].length) for (const e of errors[i]) fail(`${render}: ${objName(d)}: ${e}`);
        else good++;
        if (d.__allowed && !errors[i].length) console.log(`note: ${render}: ${objName(d)}: no schema, allow-listed (${d.__allowed})`);
      });
      if (good === docs.length) ok(`${render}: all ${docs.length} objects valid (schema, no unknown fields, Secret keys exist, no placeholder secret)`);
      const used = new Set(docs.flatMap((d) => secretRefs(d).map((r) => r.name)));
      for (const name of Object.keys(operator)) {
        if (!used.has(name)) console.log(`note: ${render}: operator-secrets.json lists ${name}, which nothing in the render references`);
      }
    }
  }
  console.log(`validate: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.log(`FAIL: validator crashed: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
