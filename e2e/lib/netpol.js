// The `netpol` CLI for e2e tests that compare the app with it: the newest built binary
// (release or debug under cargo's target directory), built on demand when there is none.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const SHARED = path.resolve(ROOT, "..", "shared");

/**
 * Cargo's target directory: `CARGO_TARGET_DIR` when set (a relative one is relative to the
 * repository root, where the build runs), else `target/` in the repository.
 */
function targetDir() {
  const configured = process.env.CARGO_TARGET_DIR;
  return configured ? path.resolve(ROOT, configured) : path.join(ROOT, "target");
}

/** The path of a built `netpol` binary (building the debug one when none exists). */
function netpolBinary() {
  const target = targetDir();
  const candidates = ["release", "debug"]
    .map((profile) => path.join(target, profile, "netpol"))
    .filter((file) => fs.existsSync(file))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (candidates.length > 0) return candidates[0];
  execFileSync("cargo", ["build", "-p", "netpol-cli"], { cwd: ROOT, stdio: "inherit" });
  return path.join(target, "debug", "netpol");
}

/** Runs `netpol ARGS…` and returns its stdout (throws with stderr on a failure exit). */
function netpol(...args) {
  return execFileSync(netpolBinary(), args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** Whether the CLI has the subcommand `name`. */
function hasCommand(name) {
  return new RegExp(`^\\s+${name}\\b`, "m").test(netpol("--help"));
}

/** A temporary directory with the built-in sample design (`design.yaml`), written by the CLI. */
function sampleDesign() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-sample-"));
  netpol("sample", "--out", dir);
  return path.join(dir, "design.yaml");
}

module.exports = { ROOT, SHARED, netpol, netpolBinary, hasCommand, sampleDesign };
