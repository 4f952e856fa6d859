//! `netpol migrate-anp PATH… --out DIR [--workloads PATH…]`: AdminNetworkPolicy and
//! BaselineAdminNetworkPolicy rewritten as ClusterNetworkPolicy, one file per policy, and the proof
//! that the verdicts stay (`cli.md`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use netpol_core::eval::migration::{MigrationProof, migrate_and_prove};
use netpol_core::model::{ClusterPolicyKind, Resource};
use netpol_core::yaml::{ExportOptions, export_resource};

/// Arguments of `netpol migrate-anp`.
#[derive(Args)]
pub struct MigrateAnpArgs {
    /// Resource files or directories holding the AdminNetworkPolicies (and anything else that
    /// decides verdicts: Calico and Kubernetes policies, namespaces, workloads).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where to write the ClusterNetworkPolicies, one `<name>.yaml` each.
    #[arg(long)]
    pub out: PathBuf,
    /// Pods, Deployments, … (and Namespaces) to compare verdicts on. Without them (and without
    /// workloads in PATH), probe workloads are made from the policies' selectors.
    #[arg(long, num_args = 1..)]
    pub workloads: Vec<PathBuf>,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol migrate-anp`.
pub fn run(args: &MigrateAnpArgs) -> ExitCode {
    let paths: Vec<PathBuf> = args.paths.iter().chain(&args.workloads).cloned().collect();
    let input = match crate::input::load_or_exit(&paths, &args.env) {
        Ok(input) => input,
        Err(code) => return code,
    };
    for d in input.diagnostics.iter().filter(|d| !d.is_error()) {
        eprintln!("{}", d.render());
    }
    let resources = input.resource_set();
    let admin = resources
        .cluster_policies
        .iter()
        .filter(|p| p.kind.is_v1alpha1())
        .count();
    if admin == 0 {
        eprintln!(
            "nothing to migrate: no AdminNetworkPolicy or BaselineAdminNetworkPolicy in the input"
        );
        return ExitCode::SUCCESS;
    }
    let proof = match migrate_and_prove(&resources) {
        Ok(proof) => proof,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = write_policies(args, &proof) {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    print!("{}", report(args, &resources.cluster_policies, &proof));
    if proof.comparison.changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn write_policies(args: &MigrateAnpArgs, proof: &MigrationProof) -> Result<(), String> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let options = ExportOptions::default();
    for migrated in &proof.migration.policies {
        let path = args
            .out
            .join(format!("{}.yaml", migrated.policy.metadata.name));
        let text = export_resource(&Resource::ClusterPolicy(migrated.policy.clone()), &options);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// What was written, the notes, and the equivalence check.
fn report(
    args: &MigrateAnpArgs,
    input: &[netpol_core::model::ClusterPolicy],
    proof: &MigrationProof,
) -> String {
    let count = |kind| input.iter().filter(|p| p.kind == kind).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "migrated {} AdminNetworkPolicy and {} BaselineAdminNetworkPolicy objects into {} ClusterNetworkPolicies in {}",
        count(ClusterPolicyKind::AdminNetworkPolicy),
        count(ClusterPolicyKind::BaselineAdminNetworkPolicy),
        proof.migration.policies.len(),
        args.out.display()
    );
    for note in &proof.migration.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let c = &proof.comparison;
    let on = if proof.probes_synthesized {
        format!(
            "{} probe workloads made from the policies' selectors (the input lists none; give --workloads for your own)",
            c.workloads
        )
    } else {
        format!("{} workloads", c.workloads)
    };
    let _ = writeln!(
        out,
        "equivalence: {} flows between {on}, Calico 3.31 with the old objects vs 3.32 with the new: {} verdicts change",
        c.flows,
        c.changes.len()
    );
    for (change, why) in c.changes.iter().zip(&proof.explained) {
        let port = change.port.map(|p| format!(" {p}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "change: {} → {} {}{port}: {} → {}",
            change.src, change.dst, change.protocol, change.before, change.after
        );
        let _ = writeln!(out, "  before: {}", change.before_reason);
        let _ = writeln!(out, "  after:  {}", change.after_reason);
        if let Some(why) = why {
            let _ = writeln!(out, "  {why}");
        }
    }
    out
}
