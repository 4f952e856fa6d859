//! The probe plan: every probe, fed back to the evaluator as `netpol eval` reads it, gets the verdict
//! the plan expects (issue 19's "done when"); the plan has both kinds of neighbours, never a probe of a
//! workload to itself, and its JSON, Markdown and Job forms say the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use netpol_core::design::{Design, sample, sample_cluster_network_policy, to_resources};
use netpol_core::eval::Evaluator;
use netpol_core::eval::flow_input::parse_flow_line;
use netpol_core::eval::probe_plan::{
    JobOptions, PlannedProbe, ProbeReason, probe_plan, to_json, to_k8s_jobs, to_markdown,
};
use netpol_core::eval::{Verdict, WorkloadEndpoint};
use netpol_core::model::ResourceSet;

fn check_against_engine(rs: &ResourceSet, plan: &[PlannedProbe]) {
    let mut ev = Evaluator::new(rs).unwrap();
    for p in plan {
        let line =
            serde_json::json!({"src": p.src, "dst": p.dst, "protocol": p.protocol, "port": p.port})
                .to_string();
        let flow = parse_flow_line(&mut ev, rs, &line).unwrap();
        let verdict = ev.evaluate(&flow);
        assert!(
            !verdict.undecidable.enforced.verdict.any(),
            "{line}: undecidable"
        );
        assert_eq!(
            verdict.verdict(),
            p.expect,
            "{line}: the plan expects {:?}",
            p.expect
        );
    }
}

fn plan_of(design: &Design) -> (ResourceSet, Vec<PlannedProbe>) {
    let rs = to_resources(design);
    let plan = probe_plan(&rs).unwrap();
    (rs, plan)
}

#[test]
fn every_expectation_of_the_sample_plans_is_right() {
    for design in [sample(), sample_cluster_network_policy()] {
        let (rs, plan) = plan_of(&design);
        assert!(!plan.is_empty());
        check_against_engine(&rs, &plan);
        for reason in [
            ProbeReason::Allowed,
            ProbeReason::OtherPort,
            ProbeReason::OtherNamespace,
        ] {
            assert!(
                plan.iter().any(|p| p.reason == reason),
                "{}: no {reason:?} probe",
                design.name
            );
        }
        for p in &plan {
            assert_ne!(
                p.src_name(),
                p.dst_name(),
                "a workload probed against itself"
            );
            assert_eq!(
                p.expect == Verdict::Allow,
                p.reason == ProbeReason::Allowed,
                "{p:?}"
            );
            assert!(
                p.because.get("kind").is_some(),
                "{p:?} says nothing of what decides it"
            );
        }
        // Expected allows come first, each pair and port once.
        let first_deny = plan.iter().position(|p| p.expect == Verdict::Deny).unwrap();
        assert!(plan[first_deny..].iter().all(|p| p.expect == Verdict::Deny));
        let mut keys: Vec<_> = plan
            .iter()
            .map(|p| {
                (
                    p.src_name().to_owned(),
                    p.dst_name().to_owned(),
                    p.protocol,
                    p.port,
                )
            })
            .collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count, "a probe is listed twice");
    }
}

#[test]
fn every_allowed_connection_is_probed_and_deny_probes_name_their_rule() {
    let (rs, plan) = plan_of(&sample());
    // Each allowed connection `connectivity` lists among workloads is an expected allow.
    let connections =
        netpol_core::eval::connectivity::connectivity(&rs, &Default::default()).unwrap();
    let workloads: Vec<String> = WorkloadEndpoint::all_from(&rs)
        .unwrap()
        .iter()
        .map(WorkloadEndpoint::display_name)
        .collect();
    for c in connections
        .iter()
        .filter(|c| workloads.contains(&c.src) && workloads.contains(&c.dst))
    {
        assert!(
            plan.iter().any(|p| p.expect == Verdict::Allow
                && p.src_name() == c.src
                && p.dst_name() == c.dst
                && p.protocol == c.proto
                && p.port == c.port),
            "the allowed connection {c:?} has no probe"
        );
    }
    // A deny is decided by a Deny rule or the end of a tier, never by a profile.
    for p in plan.iter().filter(|p| p.expect == Verdict::Deny) {
        let kind = p.because["kind"].as_str().unwrap();
        assert!(kind == "rule" || kind == "end-of-tier", "{p:?}");
    }
}

#[test]
fn the_json_form_is_an_array_eval_reads_and_the_other_forms_list_every_probe() {
    let (rs, plan) = plan_of(&sample());
    let json = to_json(&plan);
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.len(), plan.len());
    assert_eq!(json.lines().count(), plan.len() + 2, "one probe per line");
    let mut ev = Evaluator::new(&rs).unwrap();
    for value in &parsed {
        let mut flow = value.clone();
        let object = flow.as_object_mut().unwrap();
        for key in ["expect", "because", "reason"] {
            assert!(object.remove(key).is_some(), "{key} missing in {value}");
        }
        parse_flow_line(&mut ev, &rs, &flow.to_string()).unwrap();
    }
    let markdown = to_markdown(&plan);
    let allows = plan.iter().filter(|p| p.expect == Verdict::Allow).count();
    assert!(markdown.contains(&format!(
        "{} probes: {allows} expected allowed, {} expected denied.",
        plan.len(),
        plan.len() - allows
    )));
    assert_eq!(
        markdown.lines().filter(|l| l.starts_with("| `")).count(),
        plan.len()
    );

    let jobs = to_k8s_jobs(&plan, &rs, &JobOptions::default());
    let sources: std::collections::BTreeSet<&str> =
        plan.iter().map(PlannedProbe::src_name).collect();
    assert_eq!(
        jobs.matches("kind: Job").count(),
        sources.len(),
        "one Job per source"
    );
    let checked = jobs.matches("nc -z -w 3 ").count();
    let tcp = plan.iter().filter(|p| p.protocol == "TCP").count();
    assert_eq!(checked, tcp, "every TCP probe is tried");
    assert_eq!(jobs.matches("not checked ").count(), plan.len() - tcp);
    // The probe pod carries the source's labels, so the cluster's policies select it as the source.
    let first = plan.iter().find(|p| p.protocol == "TCP").unwrap();
    let (ns, name) = first.src_name().split_once('/').unwrap();
    let source = rs
        .workloads
        .iter()
        .find(|w| w.metadata.namespace.as_deref() == Some(ns) && w.metadata.name == name)
        .unwrap();
    let job = jobs
        .split("---\n")
        .find(|doc| {
            doc.contains(&format!("name: \"probe-{name}\""))
                && doc.contains(&format!("namespace: \"{ns}\""))
        })
        .unwrap();
    for (k, v) in &source.metadata.labels {
        assert!(
            job.contains(&format!("\"{k}\": \"{v}\"")),
            "label {k} missing:\n{job}"
        );
    }
}
