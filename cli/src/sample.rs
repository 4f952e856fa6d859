//! `netpol sample --out DIR [--cluster-network-policy]`: write the built-in sample design (or its
//! ClusterNetworkPolicy variant) and the resources it stands for.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use netpol_core::design;
use netpol_core::model::ApiFlavour;

/// Arguments of `netpol sample`.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Directory to write `design.yaml` and `resources/` into (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The "Calico 3.32 with ClusterNetworkPolicy" variant: the platform guardrails (DNS, no traffic
    /// across environments) as ClusterNetworkPolicies in kube-admin.
    #[arg(long)]
    cluster_network_policy: bool,
}

/// Writes `DIR/design.yaml` and `DIR/resources/*.yaml`; exit 2 when they cannot be written.
pub fn run(args: &SampleArgs) -> ExitCode {
    match write(&args.out, args.cluster_network_policy) {
        Ok(count) => {
            println!(
                "wrote {} and {count} resource files in {}",
                args.out.join("design.yaml").display(),
                args.out.join("resources").display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("netpol sample: {message}");
            ExitCode::from(2)
        }
    }
}

fn write(out: &Path, cluster_network_policy: bool) -> Result<usize, String> {
    let resources = out.join("resources");
    std::fs::create_dir_all(&resources)
        .map_err(|e| format!("cannot create {}: {e}", resources.display()))?;
    let design_file = out.join("design.yaml");
    let sample = if cluster_network_policy {
        design::sample_cluster_network_policy()
    } else {
        design::sample()
    };
    // The sample's own text, comments included: it is meant to be read. The variant is written from
    // the model.
    let text = if cluster_network_policy {
        design::save(&sample)
    } else {
        design::SAMPLE_YAML.to_owned()
    };
    std::fs::write(&design_file, text)
        .map_err(|e| format!("cannot write {}: {e}", design_file.display()))?;
    let files = design::resource_files(&sample, ApiFlavour::V3);
    for (name, text) in &files {
        let path = resources.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files.len())
}
