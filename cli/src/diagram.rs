//! `netpol diagram DESIGN|PATH… [--format svg|mermaid|dot] [--env ENV] [--out FILE]`: the design's flow
//! picture (`cli.md`) — namespaces as groups, workload groups, DNS, network sets and the world, one edge
//! per allowed flow with its ports — from core's `diagram`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::diagram::{Diagram, to_dot, to_mermaid, to_svg};

/// Output format of `netpol diagram`.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum DiagramFormat {
    /// A self-contained SVG picture (system fonts, no external reference).
    #[default]
    Svg,
    /// A Mermaid flowchart, for Markdown that GitHub and GitLab render.
    Mermaid,
    /// Graphviz DOT, for `dot -Tpng`.
    Dot,
}

/// Arguments of `netpol diagram`.
#[derive(Args)]
pub struct DiagramArgs {
    /// A design, resource files or directories, or a Fleet repository (with --env).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagramFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol diagram`.
pub fn run(args: &DiagramArgs) -> ExitCode {
    let resources = match crate::eval::load(&args.paths, args.version, &args.env) {
        Ok(resources) => resources,
        Err(code) => return code,
    };
    let diagram = match Diagram::of(&resources) {
        Ok(diagram) => diagram,
        Err(e) => {
            eprintln!("netpol diagram: error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        DiagramFormat::Svg => to_svg(&diagram),
        DiagramFormat::Mermaid => to_mermaid(&diagram),
        DiagramFormat::Dot => to_dot(&diagram),
    };
    crate::input::write_text(args.out.as_deref(), &text)
}
