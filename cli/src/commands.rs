//! The subcommands, one module each.

use std::process::ExitCode;

use clap::Subcommand;

/// Every `netpol` subcommand.
#[derive(Subcommand)]
pub enum Command {
    /// Print the version of the engine and exit.
    Version,
    /// Evaluate a Calico selector against labels (one, or JSON lines with --batch).
    Selector(crate::selector::SelectorArgs),
    /// Write the Fleet repository (bundles, overlays, GitRepo, README) for a design document.
    Export(crate::export::ExportArgs),
    /// Summarise a policy change for a pull request: what changed rule by rule, lints, impact on flows.
    Diff(crate::diff::DiffArgs),
    /// Parse every resource and report every problem (exit 1 on errors).
    Validate(crate::validate::ValidateArgs),
    /// Write the built-in sample design and the resources it stands for.
    Sample(crate::sample::SampleArgs),
    /// Best-practice findings for resources or a design (exit 1 on errors, or warnings with --deny).
    Lint(crate::lint::LintArgs),
    /// Per workload and direction, what protects it (uncovered, open, isolated) and which allow rules
    /// expose it (world, every namespace, metadata address, all ports, wide ranges, sensitive ports).
    Coverage(crate::coverage::CoverageArgs),
    /// Evaluate flows (JSON lines) against the resources: enforced and staged verdicts, what decided.
    Eval(crate::eval::EvalArgs),
    /// Explain one flow for people: each side, tier by tier, policy by policy.
    Explain(crate::explain::ExplainArgs),
    /// Every allowed connection among the pods/workloads (and probed outside addresses).
    Connectivity(crate::connectivity::ConnectivityArgs),
    /// Replay observed flow logs against what is deployed and the design: what breaks, what widens.
    Impact(crate::impact::ImpactArgs),
    /// Rewrite AdminNetworkPolicy/BaselineAdminNetworkPolicy as ClusterNetworkPolicy and prove the
    /// verdicts stay (Calico 3.31 before, 3.32 after); exit 1 when any changes.
    MigrateAnp(crate::migrate_anp::MigrateAnpArgs),
    /// Write a least-privilege design from observed flow logs and prove it breaks none of them.
    Recommend(crate::recommend::RecommendArgs),
    /// The checks that prove a cluster enforces the design: expected allows and their nearest denied
    /// neighbours, as JSON for `netpol eval`, Markdown, or Kubernetes Jobs.
    ProbePlan(crate::probe_plan::ProbePlanArgs),
    /// The flow picture: namespaces as groups, workload groups, DNS, network sets and the world, one
    /// edge per allowed flow with its ports, as SVG, Mermaid or Graphviz DOT.
    Diagram(crate::diagram::DiagramArgs),
}

/// Runs a subcommand and maps its outcome to the exit code of the CLI contract.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Version => {
            println!("netpol {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Selector(args) => crate::selector::run(&args),
        Command::Export(args) => crate::export::run(&args),
        Command::Diff(args) => crate::diff::run(&args),
        Command::Validate(args) => crate::validate::run(&args),
        Command::Sample(args) => crate::sample::run(&args),
        Command::Lint(args) => crate::lint::run(&args),
        Command::Coverage(args) => crate::coverage::run(&args),
        Command::Eval(args) => crate::eval::run(&args),
        Command::Explain(args) => crate::explain::run(&args),
        Command::Connectivity(args) => crate::connectivity::run(&args),
        Command::Impact(args) => crate::impact::run(&args),
        Command::MigrateAnp(args) => crate::migrate_anp::run(&args),
        Command::Recommend(args) => crate::recommend::run(&args),
        Command::ProbePlan(args) => crate::probe_plan::run(&args),
        Command::Diagram(args) => crate::diagram::run(&args),
    }
}
