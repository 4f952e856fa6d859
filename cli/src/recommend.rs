//! `netpol recommend --flows FILE… [--design BASE] [--namespace NS…] [--staged] --out DIR
//! [--format text|markdown|json]` (`cli.md`): writes a least-privilege design for the observed flows
//! (`DIR/design.yaml` and `DIR/resources/`) and prints its proof: observed flows, broken after (must
//! be 0), widened, the policies written. Exit 0, 1 when anything observed allowed is broken, 2 on a
//! usage error or unreadable input.
//!
//! Beyond the contract (README, "The CLI"): `--merge-ports-after N`, `--cross-namespace
//! workload|namespace`, `--v4-prefix N`, `--v6-prefix N`, `--egress-domains`, `--calico-version`,
//! `--max-line-bytes`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::design::{self, Design};
use netpol_core::flows::{self, ImportOptions};
use netpol_core::model::{ApiFlavour, CalicoVersion};
use netpol_core::recommend::{self, CrossNamespace, RecommendOptions};

/// Output formats of the proof.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// How an ingress rule names a source in another namespace.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CrossNamespaceArg {
    /// namespaceSelector + selector: the source group only.
    Workload,
    /// namespaceSelector alone: every workload of the source's namespace (listed as a widening).
    Namespace,
}

/// Arguments of `netpol recommend`.
#[derive(Args)]
pub struct RecommendArgs {
    /// Flow logs: Calico Enterprise/Cloud, Whisker/Goldmane, Hubble or CSV, gzipped or not (`-` for standard input).
    #[arg(long, num_args = 1.., required = true)]
    pub flows: Vec<PathBuf>,
    /// A design document to start from (its taxonomy, namespaces, policies and baseline are kept).
    #[arg(long, value_name = "BASE")]
    pub design: Option<PathBuf>,
    /// Namespaces to cover (policies and the default deny); default: every namespace.
    #[arg(long = "namespace", value_name = "NS", num_args = 1..)]
    pub namespaces: Vec<String>,
    /// Write the allow policies and the default deny as staged policies.
    #[arg(long)]
    pub staged: bool,
    /// Directory to write `design.yaml` and `resources/` into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// A rule with more than N ports gets one range from the lowest to the highest (listed).
    #[arg(long, value_name = "N")]
    pub merge_ports_after: Option<usize>,
    #[arg(long, value_enum, default_value = "workload")]
    pub cross_namespace: CrossNamespaceArg,
    /// Widen outside IPv4 addresses to this prefix length before aggregating them (32: exact).
    #[arg(long, value_name = "LEN", default_value_t = 32, value_parser = clap::value_parser!(u8).range(0..=32))]
    pub v4_prefix: u8,
    /// Likewise for IPv6 (128: exact).
    #[arg(long, value_name = "LEN", default_value_t = 128, value_parser = clap::value_parser!(u8).range(0..=128))]
    pub v6_prefix: u8,
    /// Write the domains the flow log saw as the network sets' allowedEgressDomains (Calico
    /// Enterprise); otherwise they are noted in the studio.netpol.dev/domains annotation.
    #[arg(long)]
    pub egress_domains: bool,
    /// The Calico release the design targets: 3.29, 3.30, 3.31 or 3.32 (default: the starting
    /// design's, else 3.32).
    #[arg(long = "calico-version", value_name = "VERSION")]
    pub calico_version: Option<CalicoVersion>,
    /// Longest flow-log line (or JSON record) accepted, in bytes.
    #[arg(long, default_value_t = flows::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
}

/// Runs `netpol recommend`.
pub fn run(args: &RecommendArgs) -> ExitCode {
    let base = match &args.design {
        Some(path) => match read_design(path) {
            Ok(design) => Some(design),
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let import = ImportOptions {
        max_line_bytes: args.max_line_bytes,
        ..ImportOptions::default()
    };
    let flows = match crate::input::load_flows(&args.flows, import) {
        Ok(flows) => flows,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let options = RecommendOptions {
        namespaces: args.namespaces.clone(),
        staged: args.staged,
        merge_ports_after: args.merge_ports_after,
        cross_namespace: match args.cross_namespace {
            CrossNamespaceArg::Workload => CrossNamespace::Workload,
            CrossNamespaceArg::Namespace => CrossNamespace::Namespace,
        },
        v4_prefix: args.v4_prefix,
        v6_prefix: args.v6_prefix,
        egress_domains: args.egress_domains,
        calico_version: args.calico_version,
        ..RecommendOptions::default()
    };
    let rec = recommend::recommend(&flows, base.as_ref(), &options);
    let proof = recommend::prove(&rec, &flows);
    if let Err(message) = write(&rec.design, &args.out) {
        eprintln!("netpol recommend: {message}");
        return ExitCode::from(2);
    }
    let text = match args.format {
        Format::Text => recommend::render_text(&proof),
        Format::Markdown => recommend::render_markdown(&proof),
        Format::Json => match serde_json::to_string_pretty(&proof) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    print!("{text}");
    if args.format != Format::Json {
        eprintln!(
            "wrote {} and {}",
            args.out.join("design.yaml").display(),
            args.out.join("resources").display()
        );
    }
    if proof.broken.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_design(path: &Path) -> Result<Design, String> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        ("-".to_owned(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: error: cannot read: {e}", path.display()))?;
        (path.display().to_string(), text)
    };
    design::load_file(&name, &text).map_err(|e| e.to_string())
}

/// Writes `DIR/design.yaml` and `DIR/resources/*.yaml`; YAML files of an earlier run that this one
/// no longer writes are removed from `resources/`, which the command owns.
fn write(design: &Design, out: &Path) -> Result<(), String> {
    let resources = out.join("resources");
    std::fs::create_dir_all(&resources)
        .map_err(|e| format!("cannot create {}: {e}", resources.display()))?;
    let design_file = out.join("design.yaml");
    std::fs::write(&design_file, design::save(design))
        .map_err(|e| format!("cannot write {}: {e}", design_file.display()))?;
    let files = design::resource_files(design, ApiFlavour::V3);
    let names: BTreeSet<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(&resources) {
        for entry in entries.flatten() {
            let path = entry.path();
            let stale = path.extension().is_some_and(|e| e == "yaml")
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !names.contains(n));
            if stale {
                std::fs::remove_file(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    for (name, text) in &files {
        let path = resources.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
