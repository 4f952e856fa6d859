//! `netpol selector`: evaluate a Calico selector against labels, one at a time or in JSON-lines batches
//! (`../shared/spec/cli.md`).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::ExitCode;

use netpol_core::selector::{Selector, SelectorError};
use serde::Deserialize;
use serde_json::json;

/// Arguments of `netpol selector`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  netpol selector \"app == 'web' && env != 'dev'\" --labels app=web,env=prod\n  \
    echo '{\"selector\": \"has(app)\", \"labels\": {\"app\": \"x\"}}' | netpol selector --batch --canonical"
)]
pub struct SelectorArgs {
    /// The selector to evaluate, e.g. "app == 'web' && env in {'prod', 'staging'}" (put `--` before a
    /// selector that starts with `-`)
    #[arg(
        value_name = "EXPR",
        required_unless_present = "batch",
        conflicts_with = "batch",
        allow_hyphen_values = true
    )]
    expr: Option<String>,

    /// Labels to test the selector against, as k=v pairs separated by commas
    #[arg(
        long,
        value_name = "K=V,K2=V2",
        conflicts_with = "batch",
        allow_hyphen_values = true
    )]
    labels: Option<String>,

    /// Read JSON lines {"selector": "...", "labels": {...}} from stdin and write one JSON result per line
    #[arg(long)]
    batch: bool,

    /// With --batch: add "canonical" (the canonical form of the selector) to each result
    #[arg(long)]
    canonical: bool,
}

/// Runs `netpol selector`.
pub fn run(args: &SelectorArgs) -> ExitCode {
    // Checked here rather than with clap's `requires`: a flag's default counts as present there.
    if args.canonical && !args.batch {
        eprintln!("error: --canonical is only valid with --batch");
        return ExitCode::from(2);
    }
    if args.batch {
        let output = io::stdout().lock();
        return match run_batch(io::stdin().lock(), output, args.canonical) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(2)
            }
        };
    }
    let expr = args.expr.as_deref().unwrap_or_default();
    let labels = match parse_labels(args.labels.as_deref().unwrap_or_default()) {
        Ok(labels) => labels,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match Selector::parse(expr) {
        Ok(selector) => {
            println!("{}", selector.matches(&labels));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{}", render_error(expr, &err));
            ExitCode::from(2)
        }
    }
}

/// `error: START..END: MESSAGE`, then the selector and a caret line under the offending text.
fn render_error(expr: &str, err: &SelectorError) -> String {
    let span = err.span();
    let prefix = expr.get(..span.start).unwrap_or(expr);
    let marked = expr.get(span.clone()).unwrap_or("");
    let pad = prefix.chars().count();
    let width = marked.chars().count().max(1);
    let shown: String = expr
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    format!(
        "error: {err}\n  {shown}\n  {}{}",
        " ".repeat(pad),
        "^".repeat(width)
    )
}

/// `k=v,k2=v2` to a label map. An empty string is no labels; a value may be empty (`k=`).
fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "--labels: `{pair}` is not of the form key=value (pairs are separated by commas)"
            ));
        };
        if key.is_empty() {
            return Err(format!("--labels: `{pair}` has an empty key"));
        }
        labels.insert(key.to_string(), value.to_string());
    }
    Ok(labels)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    selector: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// Reads JSON lines and writes one result line per non-blank input line, in order. Returns false when
/// some input line was not a valid request (that line gets `{"error": …}` without a span).
///
/// Output is flushed whenever reading the next line could block, so a caller can drive the command
/// line by line through a pipe.
fn run_batch<R: Read, W: Write>(input: R, mut output: W, canonical: bool) -> io::Result<bool> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut all_readable = true;
    let mut line = String::new();
    let mut line_number = 0usize;
    loop {
        if input.fill_buf()?.is_empty() {
            break;
        }
        line.clear();
        input.read_line(&mut line)?;
        line_number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<BatchLine>(&line) {
            Ok(request) => evaluate(&request, canonical),
            Err(err) => {
                all_readable = false;
                json!({"error": format!("line {line_number}: invalid request: {err}")})
            }
        };
        serde_json::to_writer(&mut output, &result)?;
        output.write_all(b"\n")?;
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
    output.flush()?;
    Ok(all_readable)
}

fn evaluate(request: &BatchLine, canonical: bool) -> serde_json::Value {
    match Selector::parse(&request.selector) {
        Ok(selector) => {
            let mut result = json!({"match": selector.matches(&request.labels)});
            if canonical {
                result["canonical"] = json!(selector.canonical());
            }
            result
        }
        Err(err) => {
            let span = err.span();
            json!({"error": err.message(), "span": [span.start, span.end]})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_argument() {
        let labels = parse_labels("a=1,b=,c=x=y").unwrap_or_default();
        assert_eq!(labels.get("a").map(String::as_str), Some("1"));
        assert_eq!(labels.get("b").map(String::as_str), Some(""));
        assert_eq!(labels.get("c").map(String::as_str), Some("x=y"));
        assert!(parse_labels("").is_ok_and(|l| l.is_empty()));
        assert!(parse_labels("novalue").is_err());
        assert!(parse_labels("=v").is_err());
    }

    #[test]
    fn caret_points_at_the_span() {
        let err = Selector::parse("a == b").err();
        let rendered = err.map(|e| render_error("a == b", &e)).unwrap_or_default();
        assert!(rendered.ends_with("\n  a == b\n       ^"), "{rendered}");
    }
}
