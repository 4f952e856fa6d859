#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]
//! Share links are untrusted input: a link round-trips a design, and damaged, oversized, bomb and
//! invalid payloads are refused with a message saying which, quickly.

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use netpol_core::design::share::{
    MAX_INFLATED_BYTES, MAX_PAYLOAD_BYTES, ShareError, open_share_payload, share_payload,
};
use netpol_core::design::{self};

fn deflated(bytes: &[u8]) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    URL_SAFE_NO_PAD.encode(encoder.finish().unwrap())
}

#[test]
fn a_design_survives_the_link() {
    for d in [
        design::sample(),
        design::sample_cluster_network_policy(),
        design::baseline(),
    ] {
        let payload = share_payload(&d);
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(open_share_payload(&payload).expect("opens"), d);
    }
}

#[test]
fn damaged_links_say_so() {
    for payload in ["not base64!", &URL_SAFE_NO_PAD.encode(b"not deflate")] {
        let e = open_share_payload(payload).expect_err("damaged");
        assert!(matches!(e, ShareError::Damaged(_)), "{e}");
        assert!(e.to_string().starts_with("the link is damaged"), "{e}");
    }
}

/// A design that does not validate is refused with the importer's line:column message.
#[test]
fn an_invalid_design_is_refused_with_its_position() {
    let text = "{\"apiVersion\": \"studio.netpol.dev/v1alpha1\", \"kind\": \"Design\",\n \"metadata\": {\"name\": \"x\"}, \"spec\": {\"tiers\": 7}}";
    let e = open_share_payload(&deflated(text.as_bytes())).expect_err("invalid");
    let message = e.to_string();
    assert!(matches!(e, ShareError::Invalid(_)), "{message}");
    assert!(message.contains("shared link:2:"), "{message}");
}

/// A deflate bomb — 64 MiB of zeros in 64 KB of link; a bigger one only makes the link longer, since
/// inflation stops at the limit — is refused after inflating no more than the limit, well within
/// 100 ms (the bound below allows for a loaded debug build).
#[test]
fn a_deflate_bomb_is_refused_quickly() {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let payload = URL_SAFE_NO_PAD.encode(encoder.finish().unwrap());
    assert!(payload.len() < MAX_PAYLOAD_BYTES, "{}", payload.len());
    let started = Instant::now();
    let e = open_share_payload(&payload).expect_err("a bomb");
    let took = started.elapsed();
    assert!(matches!(e, ShareError::InflatesTooFar), "{e}");
    assert!(e.to_string().contains("inflates past"), "{e}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    // Exactly at the limit is not a bomb (it then fails as a design, not as a size).
    let at_limit = deflated(&vec![b' '; MAX_INFLATED_BYTES]);
    assert!(!matches!(
        open_share_payload(&at_limit),
        Err(ShareError::InflatesTooFar)
    ));
}

#[test]
fn a_payload_longer_than_any_url_is_refused_before_decoding() {
    let payload = "A".repeat(MAX_PAYLOAD_BYTES + 1);
    let e = open_share_payload(&payload).expect_err("too long");
    assert!(
        matches!(e, ShareError::PayloadTooLong(n) if n == MAX_PAYLOAD_BYTES + 1),
        "{e}"
    );
}
