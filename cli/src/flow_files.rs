//! Reading flow-log files for `impact`, `diff` and `lint`: every file into one set (`-` is standard
//! input, read once), with what the import could not take said on standard error, never silently:
//! `FILE:LINE:COLUMN: warning: …` for each record skipped (its verdict, ends, protocol or port cannot
//! be read) and for each record kept with an unreadable policy trace, then how many more there were,
//! how many lines were Hubble events (neither records nor errors), and where a gzip file broke (its
//! records before the break are imported).

use std::io::Read;
use std::path::PathBuf;

use netpol_core::flows::{self, FlowSet, ImportOptions, LineError};

/// Imports every file into one set. A file that is not a flow log at all (or cannot be read) is an
/// error naming it: `FILE: error: …`.
pub fn import(paths: &[PathBuf], options: ImportOptions) -> Result<FlowSet, String> {
    let mut set = FlowSet::default();
    let mut stdin_read = false;
    for path in paths {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_owned()
        } else {
            path.display().to_string()
        };
        let reader: Box<dyn Read> = if path.as_os_str() == "-" {
            if std::mem::replace(&mut stdin_read, true) {
                continue;
            }
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(path)
                    .map_err(|e| format!("{name}: error: cannot read: {e}"))?,
            )
        };
        let before = Counts::of(&set);
        set = flows::import_reader(reader, set, options, |_| {})
            .map_err(|e| format!("{name}: error: {e}"))?;
        for line in messages(&name, &before, &set) {
            eprintln!("{line}");
        }
    }
    Ok(set)
}

/// What a set's summary held before a file was added to it.
struct Counts {
    errors: usize,
    skipped: u64,
    warnings: usize,
    unread_traces: u64,
    events: u64,
    damaged: usize,
}

impl Counts {
    fn of(set: &FlowSet) -> Counts {
        let s = set.summary();
        Counts {
            errors: s.errors.len(),
            skipped: s.skipped,
            warnings: s.warnings.len(),
            unread_traces: s.unread_traces,
            events: s.events,
            damaged: s.damaged.len(),
        }
    }
}

/// The lines to print about the file `name` just added to `set`.
fn messages(name: &str, before: &Counts, set: &FlowSet) -> Vec<String> {
    let s = set.summary();
    let located = |e: &LineError| format!("{name}:{}:{}: warning: {}", e.line, e.column, e.reason);
    let mut out: Vec<String> = s.errors[before.errors..].iter().map(located).collect();
    let unreported =
        (s.skipped - before.skipped).saturating_sub((s.errors.len() - before.errors) as u64);
    if unreported > 0 {
        out.push(format!(
            "{name}: warning: {unreported} more malformed records skipped"
        ));
    }
    out.extend(s.warnings[before.warnings..].iter().map(located));
    let unreported = (s.unread_traces - before.unread_traces)
        .saturating_sub((s.warnings.len() - before.warnings) as u64);
    if unreported > 0 {
        out.push(format!(
            "{name}: warning: {unreported} more records kept with an unreadable policy trace"
        ));
    }
    out.extend(
        s.damaged[before.damaged..]
            .iter()
            .map(|d| format!("{name}: warning: {d}")),
    );
    let events = s.events - before.events;
    if events > 0 {
        out.push(format!(
            "{name}: note: {events} Hubble event lines (lost, agent, debug, node status events) are not flows: not counted as records"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../core/tests/data/flows/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn each_file_says_what_it_could_not_take() {
        let empty = Counts::of(&FlowSet::default());
        let set = flows::import_bytes(
            &data("calico-unreadable-traces.jsonl"),
            ImportOptions::default(),
        )
        .unwrap();
        let lines = messages("traces.jsonl", &empty, &set);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines[0].starts_with("traces.jsonl:4:1: warning: "),
            "{lines:#?}"
        );
        assert!(
            lines[1].starts_with("traces.jsonl:5:1: warning: "),
            "{lines:#?}"
        );
        assert!(
            lines[2].starts_with("traces.jsonl:2:1: warning: the policy trace is kept as unknown"),
            "{lines:#?}"
        );
        assert!(
            lines[3].starts_with("traces.jsonl:3:1: warning: "),
            "{lines:#?}"
        );

        let set = flows::import_bytes(&data("hubble-with-events.jsonl"), ImportOptions::default())
            .unwrap();
        let lines = messages("hubble.jsonl", &empty, &set);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(lines[0].contains("5 Hubble event lines"), "{lines:#?}");

        // A second file reports only its own.
        let before = Counts::of(&set);
        let options = ImportOptions {
            max_reported_errors: 1,
            ..ImportOptions::default()
        };
        let set = flows::import_reader(
            &data("calico-unreadable-traces.jsonl")[..],
            set,
            options,
            |_| {},
        )
        .unwrap();
        let lines = messages("b", &before, &set);
        assert!(
            lines
                .iter()
                .any(|l| l == "b: warning: 1 more malformed records skipped"),
            "{lines:#?}"
        );
        assert!(lines.iter().all(|l| !l.contains("Hubble")), "{lines:#?}");
    }
}
