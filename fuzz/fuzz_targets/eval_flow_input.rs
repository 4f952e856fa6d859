//! Fuzzes `netpol eval`'s flow input (JSON lines) against the built-in sample design: any line must
//! give a flow or an error message, never a panic; every flow it gives must evaluate, explain and
//! print without panicking, with the compiled evaluator agreeing with the reference evaluator, the
//! fast `allows` and the explanation walk; any line read as a command-line endpoint (`netpol
//! explain`) must give an endpoint or an error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netpol_core::design;
use netpol_core::eval::flow_input::{parse_endpoint_arg, parse_flow_line};
use netpol_core::eval::reference::Reference;
use netpol_core::eval::{Evaluator, Verdict};
use netpol_core::model::ResourceSet;

struct Estate {
    resources: ResourceSet,
    evaluator: Evaluator,
    reference: Reference,
}

fn estate() -> &'static Estate {
    static ESTATE: OnceLock<Estate> = OnceLock::new();
    ESTATE.get_or_init(|| {
        let resources = design::to_resources(&design::sample());
        let evaluator = match Evaluator::new(&resources) {
            Ok(evaluator) => evaluator,
            Err(errors) => panic!("the sample design does not compile: {errors:?}"),
        };
        let reference = Reference::new(&resources);
        Estate { resources, evaluator, reference }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let estate = estate();
    // Each input starts from the compiled sample: endpoints interned by one input stay out of the next.
    let mut ev = estate.evaluator.clone();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let _ = parse_endpoint_arg(&mut ev, line.trim());
        let Ok(flow) = parse_flow_line(&mut ev, &estate.resources, line) else {
            continue;
        };
        let verdict = ev.evaluate(&flow);
        let _ = ev.verdict_json(&flow, &verdict);
        assert_eq!(ev.allows(&flow), verdict.enforced.verdict == Verdict::Allow, "allows disagrees with evaluate on {line}");
        let explained = ev.explain(&flow);
        assert_eq!(explained.verdict, verdict.enforced.verdict, "explain disagrees with evaluate on {line}");
        let _ = explained.to_json();
        // Where every possible pod IP of an IP-less end agrees on an answer the pod range as a whole
        // does not give, `evaluate` answers for one such IP: the reference walks those ends.
        let walked = ev.decisive_flow(&flow);
        let (Some(src), Some(dst)) = (ev.endpoint(walked.src), ev.endpoint(walked.dst)) else {
            panic!("a parsed flow names an endpoint the evaluator does not know: {line}");
        };
        let reference = estate.reference.evaluate(src, dst, flow.protocol, flow.port);
        assert_eq!(verdict.enforced.verdict, reference.verdict, "compiled and reference evaluators disagree on {line}");
        assert_eq!(verdict.staged.map(|s| s.verdict), reference.staged, "staged verdicts disagree on {line}");
    }
});
