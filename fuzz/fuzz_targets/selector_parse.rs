//! Fuzzes the selector parser: it must never panic or overflow the stack, errors must carry spans inside
//! the input on character boundaries, and whatever parses must survive print → parse unchanged, with the
//! same verdict on a label map derived from the input.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use netpol_core::selector::Selector;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Selector::parse(text) {
        Ok(selector) => {
            let canonical = selector.canonical();
            let reparsed = match Selector::parse(&canonical) {
                Ok(reparsed) => reparsed,
                Err(err) => panic!("canonical form {canonical:?} of {text:?} does not parse: {err}"),
            };
            assert_eq!(reparsed, selector, "print∘parse changed {text:?}");
            assert_eq!(reparsed.canonical(), canonical);
            // A label map built from the keys the selector mentions, so that matching is exercised.
            let labels: BTreeMap<String, String> = selector
                .label_keys()
                .into_iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(i, k)| (k, if i % 4 == 0 { String::new() } else { text.to_string() }))
                .collect();
            assert_eq!(selector.matches(&labels), reparsed.matches(&labels));
        }
        Err(err) => {
            let span = err.span();
            assert!(span.start <= span.end && span.end <= text.len(), "{err} for {text:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            assert!(!err.message().is_empty());
        }
    }
});
