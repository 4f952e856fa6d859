// Flow import + aggregate + impact in wasm under Node, through the streaming API the app's worker uses
// (4 MiB chunks into FlowImporter::feed): node core/benches/wasm/flows.mjs FLOWS [flows_wasm.wasm]
// Build first: cargo build --release -p netpol-core --example flows_wasm --target wasm32-unknown-unknown
// Target (issue 6): 1 M Calico lines in under 5 s.
import { openSync, readSync, closeSync, fstatSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const flowsPath = process.argv[2] ?? process.env.NETPOL_BENCH_FLOWS;
if (!flowsPath) {
  console.error("usage: node flows.mjs FLOWS [flows_wasm.wasm] (or set NETPOL_BENCH_FLOWS)");
  process.exit(2);
}
const wasmPath = process.argv[3] ?? "target/wasm32-unknown-unknown/release/examples/flows_wasm.wasm";
const module = await WebAssembly.compile(readFileSync(wasmPath));
// Some dependencies link wasm-bindgen imports that the import never calls: stub every import.
const imports = {};
for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
  if (kind !== "function") continue;
  imports[m] ??= {};
  imports[m][name] = () => { throw new Error(`unexpected import ${m}.${name}`); };
}
const { exports: wasm } = await WebAssembly.instantiate(module, imports);

wasm.setup(); // the two 500-policy estates, untimed as in the native bench
const CHUNK = 4 * 1024 * 1024; // what the worker reads at a time
const fd = openSync(flowsPath, "r");
const size = fstatSync(fd).size;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
wasm.begin();
const ptr = wasm.buffer(CHUNK);
for (let offset = 0; offset < size; ) {
  // Memory may grow while importing: take a fresh view of it for every chunk.
  const view = new Uint8Array(wasm.memory.buffer, ptr, CHUNK);
  const n = readSync(fd, view, 0, CHUNK, offset);
  if (n === 0) break;
  if (wasm.feed(n) !== 0) throw new Error(`the import failed near byte ${offset}`);
  offset += n;
}
closeSync(fd);
const distinct = wasm.finish();
if (distinct === 0xffffffff) throw new Error("the import failed at its end");
const t1 = performance.now();
const broken = wasm.impact();
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(
  `${wasm.records()} records (${size} bytes) -> ${distinct} distinct flows, ${broken} broken: ` +
    `import+aggregate ${((t1 - t0) / 1000).toFixed(2)} s, +impact ${((t2 - t0) / 1000).toFixed(2)} s wall; ` +
    `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (user ${(cpu.user / 1e6).toFixed(2)} s); ` +
    `peak RSS ${peak.toFixed(0)} MB (includes reading the file in Node)`,
);
