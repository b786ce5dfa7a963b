// Evaluate GitHub Actions expressions with GitHub's own evaluator (@actions/expressions), for
// tests of workflow conditions and concurrency groups: reads {"value", "contexts", "status"}
// as JSON on stdin and prints the result as JSON. `value` is either a string with ${{ }}
// interpolations (a concurrency group) or, with "condition": true, a bare `if:` expression.
// The status functions (success, failure, cancelled, always) answer from "status".
import { readFileSync } from "node:fs";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";

const input = JSON.parse(readFileSync(0, "utf8"));
const contexts = JSON.parse(JSON.stringify(input.contexts ?? {}), data.reviver);
const status = input.status ?? "success";
const statusFuncs = ["success", "failure", "cancelled", "always"].map((name) => ({
  name,
  minArgs: 0,
  maxArgs: 0,
  call: () =>
    new data.BooleanData(name === "always" || name === status),
}));

function evaluate(source) {
  const lexed = new Lexer(source).lex();
  const expr = new Parser(lexed.tokens, Object.keys(input.contexts ?? {}), statusFuncs).parse();
  return new Evaluator(expr, contexts, new Map(statusFuncs.map((f) => [f.name, f]))).evaluate();
}

// GitHub's truthiness: false, 0, "", null and NaN are false; everything else is true
function truthy(value) {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return value.value;
    case data.Kind.Number:
      return value.number() !== 0 && !Number.isNaN(value.number());
    case data.Kind.String:
      return value.coerceString() !== "";
    default:
      return true;
  }
}

function text(value) {
  if (value.kind === data.Kind.Null) return "";
  if (value.kind === data.Kind.Boolean) return value.value ? "true" : "false";
  return value.coerceString();
}

let result;
if (input.condition) {
  let source = input.value.trim();
  const m = /^\$\{\{([\s\S]*)\}\}$/.exec(source);
  if (m) source = m[1];
  result = truthy(evaluate(source));
} else {
  result = input.value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, src) => text(evaluate(src)));
}
process.stdout.write(JSON.stringify(result) + "\n");
