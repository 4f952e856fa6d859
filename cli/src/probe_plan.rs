//! `netpol probe-plan DESIGN|PATH… [--env ENV] [--format json|markdown|k8s] [--out FILE]`: the checks
//! that prove a cluster enforces the design (`cli.md`), from core's `eval::probe_plan`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::eval::probe_plan::{JobOptions, probe_plan, to_json, to_k8s_jobs, to_markdown};

/// Output format of `netpol probe-plan`.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum ProbePlanFormat {
    /// A JSON array of flows with `expect`, `because` and `reason`, one per line: `netpol eval
    /// --input` reads it back and checks each expectation.
    #[default]
    Json,
    Markdown,
    /// Kubernetes Jobs, one per source workload, that try each probe and fail on a mismatch.
    K8s,
}

/// Arguments of `netpol probe-plan`.
#[derive(Args)]
pub struct ProbePlanArgs {
    /// A design, resource files or directories, or a Fleet repository (with --env).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ProbePlanFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --format k8s: the probe image (it needs `sh` and `nc`).
    #[arg(long, value_name = "IMAGE", default_value = "busybox:1.36")]
    pub image: String,
    /// With --format k8s: how a destination is reached, `{name}` and `{namespace}` replaced (a Service
    /// of the workload's name whose port is the container port, by default).
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "{name}.{namespace}.svc.cluster.local"
    )]
    pub host: String,
    /// With --format k8s: seconds each probe waits for a connection.
    #[arg(long, value_name = "SECONDS", default_value_t = 3)]
    pub timeout: u32,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol probe-plan`.
pub fn run(args: &ProbePlanArgs) -> ExitCode {
    let resources = match crate::eval::load(&args.paths, args.version, &args.env) {
        Ok(resources) => resources,
        Err(code) => return code,
    };
    let plan = match probe_plan(&resources) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("netpol probe-plan: error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        ProbePlanFormat::Json => to_json(&plan),
        ProbePlanFormat::Markdown => to_markdown(&plan),
        ProbePlanFormat::K8s => {
            let options = JobOptions {
                image: args.image.clone(),
                host: args.host.clone(),
                timeout_seconds: args.timeout,
            };
            to_k8s_jobs(&plan, &resources, &options)
        }
    };
    crate::input::write_text(args.out.as_deref(), &text)
}
