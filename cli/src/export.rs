//! `netpol export DESIGN --out DIR|FILE.zip [--api crd-v1|v3]`: the Fleet repository of a design.
//! `DESIGN` may be a Fleet repository (a folder or a zip): it is read back as a design and written
//! again, with the repository's own settings unless flags override them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::export::{self, DesignExportOptions, FileTree};
use netpol_core::model::ApiFlavour;

/// Arguments of `netpol export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The design document (YAML or JSON; `-` reads standard input), or a Fleet repository (a folder
    /// or a .zip) to read back as a design.
    pub design: PathBuf,
    /// Where to write: a directory, or a `.zip` file.
    #[arg(long)]
    pub out: PathBuf,
    /// Calico API flavour of the objects [default: crd-v1, or the repository's].
    #[arg(long, value_enum)]
    pub api: Option<Api>,
    /// Name of the Fleet GitRepo (also the prefix of every bundle name) [default: network-policies,
    /// or the repository's].
    #[arg(long)]
    pub gitrepo_name: Option<String>,
    /// URL of the Git repository the export is pushed to.
    #[arg(long)]
    pub repo: Option<String>,
    /// Branch Fleet follows [default: main, or the repository's].
    #[arg(long)]
    pub branch: Option<String>,
}

/// `--api` values.
#[derive(Clone, Copy, ValueEnum)]
pub enum Api {
    /// `crd.projectcalico.org/v1`: no Calico API server needed, tier-prefixed names.
    #[value(name = "crd-v1")]
    CrdV1,
    /// `projectcalico.org/v3`: through the Calico API server.
    #[value(name = "v3")]
    V3,
}

/// Runs `netpol export`.
pub fn run(args: &ExportArgs) -> ExitCode {
    match export(args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn export(args: &ExportArgs) -> Result<String, String> {
    let (design, mut options) = match crate::input::repository(&args.design)? {
        Some(repo) => {
            let (design, options, notes) = repo.to_design();
            for d in repo.diagnostics.iter().chain(&notes) {
                eprintln!("{}", d.render());
            }
            (design, options)
        }
        None => {
            let (name, text) = read_input(&args.design)?;
            let design = netpol_core::design::load_file(&name, &text).map_err(|e| e.to_string())?;
            (design, DesignExportOptions::default())
        }
    };
    if let Some(api) = args.api {
        options.flavour = match api {
            Api::CrdV1 => ApiFlavour::CrdV1,
            Api::V3 => ApiFlavour::V3,
        };
    }
    if let Some(name) = &args.gitrepo_name {
        options.settings.gitrepo_name = name.clone();
    }
    if let Some(branch) = &args.branch {
        options.settings.branch = branch.clone();
    }
    if let Some(repo) = &args.repo {
        options.settings.repo_url = repo.clone();
    }
    let tree = export::export_design(&design, &options).map_err(|e| format!("error: {e}"))?;
    if args
        .out
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
    {
        let bytes = export::to_zip(&tree).map_err(|e| format!("error: {e}"))?;
        std::fs::write(&args.out, bytes)
            .map_err(|e| format!("error: cannot write `{}`: {e}", args.out.display()))?;
    } else {
        write_dir(&tree, &args.out)?;
    }
    Ok(format!(
        "wrote {} files to {}",
        tree.len(),
        args.out.display()
    ))
}

/// Reads a file, or standard input for `-`.
fn read_input(path: &Path) -> Result<(String, String), String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        return Ok(("-".to_owned(), text));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: error: cannot read: {e}", path.display()))?;
    Ok((path.display().to_string(), text))
}

/// Writes the tree below `dir`. Files of an earlier export that this one no longer has are removed
/// from the directories the export owns (`bundles/`), so a deleted policy does not linger in Git;
/// anything else in `dir` (`.git`, CI files) is left alone.
fn write_dir(tree: &FileTree, dir: &Path) -> Result<(), String> {
    let fail =
        |path: &Path, e: std::io::Error| format!("error: cannot write `{}`: {e}", path.display());
    let owned = dir.join("bundles");
    if owned.is_dir() {
        remove_stale(tree, dir, &owned).map_err(|e| fail(&owned, e))?;
    }
    for (path, bytes) in tree.iter() {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
        }
        std::fs::write(&file, bytes).map_err(|e| fail(&file, e))?;
    }
    Ok(())
}

fn remove_stale(tree: &FileTree, root: &Path, dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(tree, root, &path)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        } else {
            let rel = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if tree.get(&rel).is_none() {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}
