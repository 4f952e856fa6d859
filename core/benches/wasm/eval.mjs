// Evaluator throughput in wasm under Node: node core/benches/wasm/eval.mjs [path/to/eval_wasm.wasm]
// Build first: cargo build --release -p netpol-core --example eval_wasm --target wasm32-unknown-unknown
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const path = process.argv[2] ?? "target/wasm32-unknown-unknown/release/examples/eval_wasm.wasm";
// Some dependencies link wasm-bindgen imports that the evaluator never calls: stub every import.
const module = await WebAssembly.compile(readFileSync(path));
const imports = {};
for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
  if (kind !== "function") continue;
  imports[m] ??= {};
  imports[m][name] = () => { throw new Error(`unexpected import ${m}.${name}`); };
}
const instance = await WebAssembly.instantiate(module, imports);
const flows = 1_000_000;
let t = performance.now();
instance.exports.setup(flows);
console.log(`setup (estate, compile, flows): ${(performance.now() - t).toFixed(0)} ms`);
let best = Infinity;
// The machine may be shared: report decisions per second of this process's CPU time too.
let bestCpu = Infinity;
for (let i = 0; i < 5; i++) {
  t = performance.now();
  const cpu = process.cpuUsage();
  const allowed = instance.exports.run();
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - t;
  const cpuMs = (used.user + used.system) / 1000;
  best = Math.min(best, ms);
  bestCpu = Math.min(bestCpu, cpuMs);
  console.log(`run ${i}: ${allowed} allowed, ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${((flows / ms) * 1000 / 1e6).toFixed(2)} M decisions/s wall, ${((flows / cpuMs) * 1000 / 1e6).toFixed(2)} M/s of CPU time`);
}
console.log(`best: ${((flows / best) * 1000 / 1e6).toFixed(2)} M decisions/s wall, ${((flows / bestCpu) * 1000 / 1e6).toFixed(2)} M/s of CPU time`);
