//! `netpol sample --out DIR`: write the built-in sample design and the resources it stands for.

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
}

/// Writes `DIR/design.yaml` and `DIR/resources/*.yaml`; exit 2 when they cannot be written.
pub fn run(args: &SampleArgs) -> ExitCode {
    match write(&args.out) {
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

fn write(out: &Path) -> Result<usize, String> {
    let resources = out.join("resources");
    std::fs::create_dir_all(&resources)
        .map_err(|e| format!("cannot create {}: {e}", resources.display()))?;
    let design_file = out.join("design.yaml");
    // The sample's own text, comments included: it is meant to be read.
    std::fs::write(&design_file, design::SAMPLE_YAML)
        .map_err(|e| format!("cannot write {}: {e}", design_file.display()))?;
    let files = design::resource_files(&design::sample(), ApiFlavour::V3);
    for (name, text) in &files {
        let path = resources.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(files.len())
}
