//! Fuzzes share-link decoding: any text after `#share=` must open to a design or an error, never a
//! panic, a hang or an out-of-memory (the payload is untrusted); a payload that opens must open
//! again, unchanged, once re-encoded; a payload holding any document must open exactly as that
//! document loads as a file; and a design that loads must come back unchanged from its link.
#![no_main]

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use libfuzzer_sys::fuzz_target;
use netpol_core::design::{self, Design};
use netpol_core::design::share::{open_share_payload, share_payload};

fn round_trip(design: &Design, what: &str) {
    let payload = share_payload(design);
    match open_share_payload(&payload) {
        Ok(opened) => assert_eq!(&opened, design, "{what}: decode(encode(design)) changed the design"),
        Err(err) => panic!("{what}: the link of a design does not open: {err}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The fuzzer's text as a payload.
    if let Ok(design) = open_share_payload(&text) {
        round_trip(&design, "an opened payload");
    }
    // The fuzzer's text as the document inside a payload.
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).expect("writing into a Vec");
    let payload = URL_SAFE_NO_PAD.encode(encoder.finish().expect("writing into a Vec"));
    let opened = open_share_payload(&payload);
    match (std::str::from_utf8(data), &opened) {
        (Ok(text), _) => match (design::load_file("shared link", text), &opened) {
            (Ok(loaded), Ok(opened)) => {
                assert_eq!(opened, &loaded, "a link opens to another design than its document loads to");
                round_trip(&loaded, "a loaded document");
            }
            (Err(_), Err(_)) => {}
            (loaded, opened) => panic!(
                "a link and its document disagree: the file {}, the link {}",
                if loaded.is_ok() { "loads" } else { "does not load" },
                if opened.is_ok() { "opens" } else { "does not open" },
            ),
        },
        (Err(_), result) => assert!(result.is_err(), "a link holding non-UTF-8 text opens"),
    }
});
