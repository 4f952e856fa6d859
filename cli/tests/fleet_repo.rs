//! Fleet repositories as input (`cli.md` "Fleet repositories as input"): the sample's export, the same
//! with a hand edit in a prod overlay, and with a Helm bundle and a non-policy file; read per
//! environment by `validate`, `lint`, `diff`, `impact`, `eval` and written again by `export`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn netpol() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = netpol();
    for a in args {
        cmd.arg(a);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-cli-fleet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample design and its export (`DIR/design.yaml`, `DIR/repo/`).
fn sample_repo(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch(name);
    let design = dir.join("design.yaml");
    std::fs::write(&design, netpol_core::design::SAMPLE_YAML).unwrap();
    let repo = dir.join("repo");
    let o = run(&[&"export", &design, &"--out", &repo]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, design, repo)
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the repository where prod clusters get `allow-dns` with its UDP port changed to 5353,
/// by a `_patch` overlay (and a prod customization added by hand to the infrastructure fleet.yaml).
fn hand_edited(dir: &Path, repo: &Path) -> PathBuf {
    let edited = dir.join("edited");
    std::fs::create_dir_all(&edited).unwrap();
    copy_dir(repo, &edited);
    let infra = edited.join("bundles/infrastructure");
    let fleet = std::fs::read_to_string(infra.join("fleet.yaml")).unwrap();
    assert!(fleet.trim_end().ends_with("- staging"), "{fleet}");
    std::fs::write(
        infra.join("fleet.yaml"),
        format!(
            "{fleet}- name: prod\n  clusterSelector:\n    matchLabels:\n      env: prod\n  yaml:\n    overlays:\n    - prod\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(infra.join("overlays/prod")).unwrap();
    std::fs::write(
        infra.join("overlays/prod/globalnetworkpolicy-platform.allow-dns_patch.yaml"),
        r#"spec:
  egress:
  - action: Allow
    protocol: UDP
    destination:
      selector: k8s-app == "kube-dns"
      namespaceSelector: kubernetes.io/metadata.name == "kube-system"
      ports: [5353]
  - action: Allow
    protocol: TCP
    destination:
      selector: k8s-app == "kube-dns"
      namespaceSelector: kubernetes.io/metadata.name == "kube-system"
      ports: [53]
"#,
    )
    .unwrap();
    edited
}

fn sample_flows() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/samples/sample-design-flows.jsonl.gz")
}

#[test]
fn validate_reads_the_sample_export_per_environment_without_errors() {
    let (_, _, repo) = sample_repo("validate");
    let o = run(&[&"validate", &repo]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    for env in ["dev", "staging", "prod"] {
        assert!(out.contains(&format!("== environment {env} ==")), "{out}");
    }
    assert_eq!(out.matches(" 0 errors, 0 warnings").count(), 3, "{out}");
    assert!(
        !out.contains("kind"),
        "fleet.yaml and the GitRepo are not resources: {out}"
    );
    // One environment: no heading, the same summary; JSON keeps its shape.
    let o = run(&[&"validate", &repo, &"--env", &"prod", &"--format", &"json"]);
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(value["errors"], 0);
    let objects = value["objects"].as_array().unwrap();
    assert!(objects.iter().any(|o| {
        o["name"] == "orders-db"
            && o["file"]
                .as_str()
                .unwrap()
                .ends_with("networkpolicy-application.orders-db.yaml")
    }));
    // Every environment in JSON, by name.
    let o = run(&[&"validate", &repo, &"--format", &"json"]);
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(value["environments"]["staging"]["errors"], 0);
    // An unknown environment is a usage error naming the known ones.
    let o = run(&[&"validate", &repo, &"--env", &"qa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dev, staging, prod"), "{}", stderr(&o));
}

/// Findings as `id: message` lines, without where they are.
fn findings(o: &Output) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    let mut out: Vec<String> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}: {}", f["id"], f["message"]))
        .collect();
    out.sort();
    out
}

#[test]
fn lint_of_an_environment_of_the_repository_is_lint_of_the_design_there() {
    let (_, design, repo) = sample_repo("lint");
    for env in ["dev", "staging", "prod"] {
        let from_repo = run(&[&"lint", &repo, &"--env", &env, &"--format", &"json"]);
        let from_design = run(&[&"lint", &design, &"--env", &env, &"--format", &"json"]);
        let got = findings(&from_repo);
        assert!(!got.is_empty());
        assert_eq!(got, findings(&from_design), "{env}");
        // Findings point at the repository's files.
        assert!(
            stdout(&from_repo).contains("repo/bundles/infrastructure/"),
            "{env}"
        );
    }
    let o = run(&[&"lint", &repo]);
    assert_eq!(stdout(&o).matches("== environment ").count(), 3);
    // SARIF: one run with every environment's findings, each once, naming its environments.
    let o = run(&[&"lint", &repo, &"--format", &"sarif"]);
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(value["runs"].as_array().unwrap().len(), 1);
    let messages: Vec<&str> = value["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("(environments: dev, prod)")),
        "{messages:#?}"
    );
    let distinct: std::collections::BTreeSet<&&str> = messages.iter().collect();
    assert_eq!(distinct.len(), messages.len());
}

#[test]
fn coverage_of_a_repository_is_per_environment_and_matches_the_design_there() {
    let (_, design, repo) = sample_repo("coverage");
    let o = run(&[&"coverage", &repo, &"--format", &"json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let envs: Vec<&String> = all["environments"].as_object().unwrap().keys().collect();
    assert_eq!(envs, ["dev", "prod", "staging"]);
    for env in ["dev", "staging", "prod"] {
        let from_repo = run(&[&"coverage", &repo, &"--env", &env, &"--format", &"json"]);
        let from_design = run(&[&"coverage", &design, &"--env", &env, &"--format", &"json"]);
        let repo_report: serde_json::Value = serde_json::from_slice(&from_repo.stdout).unwrap();
        let design_report: serde_json::Value = serde_json::from_slice(&from_design.stdout).unwrap();
        assert_eq!(repo_report, design_report, "{env}");
        assert_eq!(all["environments"][env], repo_report, "{env}");
        assert!(
            repo_report["summary"]["workloads"].as_u64().unwrap() > 0,
            "{env}"
        );
    }
    let table = run(&[&"coverage", &repo]);
    assert_eq!(stdout(&table).matches("== environment ").count(), 3);
}

#[test]
fn diff_of_the_design_and_its_export_shows_no_change_and_a_hand_edit_shows_in_prod_only() {
    let (dir, design, repo) = sample_repo("diff");
    let o = run(&[&"diff", &design, &repo]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        out.matches("No policy, tier or network set changed.")
            .count(),
        3,
        "{out}"
    );
    let edited = hand_edited(&dir, &repo);
    let o = run(&[&"diff", &repo, &edited, &"--format", &"json"]);
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes = |env: &str| {
        value["environments"][env]["diff"]["changes"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(
        (changes("dev"), changes("staging"), changes("prod")),
        (0, 0, 1)
    );
    let o = run(&[&"diff", &repo, &edited, &"--env", &"prod"]);
    let out = stdout(&o);
    assert!(out.contains("allow-dns") && out.contains("5353"), "{out}");
    assert!(
        !out.contains("# Environment"),
        "one environment, no heading: {out}"
    );
}

#[test]
fn impact_gates_a_pull_request_per_environment() {
    let (dir, _, repo) = sample_repo("impact");
    let edited = hand_edited(&dir, &repo);
    let flows = sample_flows();
    let o = run(&[
        &"impact",
        &"--before",
        &repo,
        &"--after",
        &edited,
        &"--env",
        &"prod",
        &"--flows",
        &flows,
        &"--format",
        &"json",
        &"--fail-on",
        &"broken",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(value["summary"]["broken"].as_u64().unwrap() > 0, "{value}");
    // Dev is untouched by the prod overlay.
    let o = run(&[
        &"impact",
        &"--before",
        &repo,
        &"--after",
        &edited,
        &"--env",
        &"dev",
        &"--flows",
        &flows,
        &"--fail-on",
        &"broken",
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn export_reads_a_repository_back_and_writes_it_again_byte_for_byte() {
    let (dir, design, repo) = sample_repo("export");
    let again = dir.join("again");
    let o = run(&[&"export", &repo, &"--out", &again]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let files = |root: &Path| {
        let mut out = Vec::new();
        let mut pending = vec![root.to_owned()];
        while let Some(d) = pending.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    pending.push(p);
                } else {
                    out.push((
                        p.strip_prefix(root).unwrap().to_owned(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    };
    assert_eq!(files(&again), files(&repo));
    // Zip in, zip out.
    let zip = dir.join("repo.zip");
    assert!(run(&[&"export", &design, &"--out", &zip]).status.success());
    let zip2 = dir.join("again.zip");
    let o = run(&[&"export", &zip, &"--out", &zip2]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&zip).unwrap(), std::fs::read(&zip2).unwrap());
    // A hand edit is carried into the design, and said where the design cannot hold it.
    let edited = hand_edited(&dir, &repo);
    let out = dir.join("from-edited");
    let o = run(&[&"export", &edited, &"--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("allow-dns") && stderr(&o).contains("`dev`"),
        "{}",
        stderr(&o)
    );
    let base = std::fs::read_to_string(
        out.join("bundles/infrastructure/globalnetworkpolicy-platform.allow-dns.yaml"),
    )
    .unwrap();
    assert!(base.contains("5353"), "{base}");
}

#[test]
fn a_helm_bundle_and_a_non_policy_file_are_warnings_and_the_rest_is_read() {
    let (_, _, repo) = sample_repo("helm");
    let mon = repo.join("bundles/applications/monitoring");
    std::fs::create_dir_all(mon.join("templates")).unwrap();
    std::fs::write(mon.join("fleet.yaml"), "helm:\n  releaseName: monitoring\n").unwrap();
    std::fs::write(
        mon.join("Chart.yaml"),
        "apiVersion: v2\nname: monitoring\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(mon.join("values.yaml"), "name: scrape\n").unwrap();
    std::fs::write(
        mon.join("templates/policy.yaml"),
        "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata:\n  name: {{ .Values.name }}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("bundles/infrastructure/configmap-notes.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  namespace: default\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
    std::fs::write(
        repo.join(".github/workflows/netpol.yml"),
        "on: pull_request\n",
    )
    .unwrap();
    let o = run(&[&"validate", &repo, &"--env", &"prod"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("monitoring/fleet.yaml: warning: bundle `bundles/applications/monitoring` is a Helm chart"), "{out}");
    assert!(out.contains("ConfigMap"), "{out}");
    assert!(!out.contains(".github"), "{out}");
    assert!(out.contains(" 0 errors, "), "{out}");
}

#[test]
fn single_set_commands_ask_for_an_environment() {
    let (_, _, repo) = sample_repo("eval");
    let o = run(&[&"connectivity", &"--resources", &repo]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pick one with --env"), "{}", stderr(&o));
    let o = run(&[
        &"connectivity",
        &"--resources",
        &repo,
        &"--env",
        &"prod",
        &"--format",
        &"json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders-db"));
}

/// The `netpol` command lines of the CI recipe in a README: `(args, stdout file)` of each, from the
/// GitHub Actions job (`run: netpol …`) and the GitLab CI job (`- netpol …`).
fn recipe_commands(readme: &str) -> Vec<(Vec<String>, Option<String>)> {
    readme
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let command = line
                .strip_prefix("- run: netpol ")
                .or_else(|| line.strip_prefix("- netpol "))?;
            let command = command.trim_end_matches(" || true");
            let (command, out) = match command.split_once(" > ") {
                Some((c, file)) => (c, Some(file.trim().to_owned())),
                None => (command, None),
            };
            Some((command.split_whitespace().map(str::to_owned).collect(), out))
        })
        .collect()
}

/// Runs every command of the recipe in `dir` (holding `base/` and `pr/`): the exit codes in order.
fn run_recipe(dir: &Path, readme: &str) -> Vec<(String, i32)> {
    let mut codes = Vec::new();
    for (args, out) in recipe_commands(readme) {
        let o = netpol().args(&args).current_dir(dir).output().unwrap();
        if let Some(file) = out {
            std::fs::write(dir.join(file), &o.stdout).unwrap();
        }
        codes.push((args.join(" "), o.status.code().unwrap()));
    }
    codes
}

#[test]
fn the_ci_recipe_of_the_export_readme_gates_a_pull_request() {
    let (dir, _, repo) = sample_repo("ci");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    // The project README shows the same recipe.
    let project =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    assert!(
        project.contains(&netpol_core::export::ci_recipe("prod")),
        "README.md lacks the CI recipe"
    );
    assert!(readme.contains(&netpol_core::export::ci_recipe("prod")));
    let commands = recipe_commands(&readme);
    assert_eq!(commands.len(), 10, "{commands:?}");
    // An unchanged pull request passes every step.
    let base = dir.join("base");
    std::fs::rename(&repo, &base).unwrap();
    let pr = dir.join("pr");
    std::fs::create_dir_all(pr.join("flows")).unwrap();
    copy_dir(&base, &pr);
    std::fs::copy(sample_flows(), pr.join("flows/prod.jsonl.gz")).unwrap();
    for (command, code) in run_recipe(&dir, &readme) {
        assert_eq!(code, 0, "{command}");
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("netpol.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert_eq!(
        summary
            .matches("No policy, tier or network set changed.")
            .count(),
        3,
        "{summary}"
    );
    // A pull request that breaks DNS in prod: everything runs, the last step fails the job.
    let edited = hand_edited(&dir, &base);
    std::fs::remove_dir_all(&pr).unwrap();
    std::fs::rename(&edited, &pr).unwrap();
    std::fs::create_dir_all(pr.join("flows")).unwrap();
    std::fs::copy(sample_flows(), pr.join("flows/prod.jsonl.gz")).unwrap();
    let codes = run_recipe(&dir, &readme);
    let failing: Vec<&(String, i32)> = codes.iter().filter(|(_, c)| *c != 0).collect();
    assert_eq!(failing.len(), 2, "{codes:?}");
    assert!(
        failing
            .iter()
            .all(|(c, code)| c.contains("--fail-on broken") && *code == 1),
        "{codes:?}"
    );
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        summary.contains("# Environment `prod`") && summary.contains("5353"),
        "{summary}"
    );
    let impact = std::fs::read_to_string(dir.join("impact.md")).unwrap();
    assert!(impact.contains("broken"), "{impact}");
}
