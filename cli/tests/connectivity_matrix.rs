//! `netpol connectivity --format matrix`: the namespace × namespace matrix of the sample agrees cell by
//! cell with the JSON list of the same command; `--probes` is refused rather than ignored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

fn netpol(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_netpol"));
    for arg in args {
        command.arg(arg);
    }
    command.output().unwrap()
}

fn sample_resources(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-cli-matrix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = netpol(&[&"sample", &"--out", &dir]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir.join("resources")
}

fn namespace(workload: &str) -> String {
    workload.split('/').next().unwrap_or_default().to_owned()
}

#[test]
fn the_matrix_agrees_with_the_json_list_cell_by_cell() {
    let resources = sample_resources("cells");
    let json = netpol(&[&"connectivity", &"--resources", &resources]);
    assert!(json.status.success());
    let connections: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let mut allowed: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in &connections {
        if c["state"] == "allow" {
            let key = (
                namespace(c["src"].as_str().unwrap()),
                namespace(c["dst"].as_str().unwrap()),
            );
            *allowed.entry(key).or_default() += 1;
        }
    }

    let out = netpol(&[
        &"connectivity",
        &"--resources",
        &resources,
        &"--format",
        &"matrix",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("# Each cell"));
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(&header[..3], ["FROM", "\\", "TO"]);
    let namespaces: Vec<&str> = header[3..].to_vec();
    assert!(namespaces.contains(&"checkout") && namespaces.contains(&"orders"));
    let mut cells = 0;
    for line in lines {
        let mut words = line.split_whitespace();
        let from = words.next().unwrap();
        let words: Vec<&str> = words.collect();
        let mut i = 0;
        for to in &namespaces {
            let count = allowed
                .get(&(from.to_owned(), (*to).to_owned()))
                .copied()
                .unwrap_or(0);
            match words[i] {
                "allowed" => assert!(count > 0, "{from} → {to}"),
                "denied" | "-" => assert_eq!(count, 0, "{from} → {to}"),
                "partly" => {
                    i += 1;
                    let (a, n) = words[i].split_once('/').unwrap();
                    assert_eq!(a.parse::<usize>().unwrap(), count, "{from} → {to}");
                    assert!(count < n.parse::<usize>().unwrap());
                }
                "undecidable" => i += 1,
                other => panic!("{other} in {line}"),
            }
            i += 1;
            cells += 1;
        }
        assert_eq!(i, words.len(), "{line}");
    }
    assert_eq!(cells, namespaces.len() * namespaces.len());
}

#[test]
fn probes_are_refused_rather_than_ignored() {
    let resources = sample_resources("probes");
    let probes = resources.join("../probes.json");
    std::fs::write(&probes, r#"{"external_ips": ["203.0.113.7"]}"#).unwrap();
    let o = netpol(&[
        &"connectivity",
        &"--resources",
        &resources,
        &"--format",
        &"matrix",
        &"--probes",
        &probes,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--probes"));
}
