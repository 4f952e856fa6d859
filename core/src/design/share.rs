//! Share links: the whole design, as its JSON document, deflated and base64url-encoded (the payload
//! the app puts after `#share=`). A link comes from a chat or an e-mail: it is untrusted input, so
//! its size is checked before anything is decoded, inflation stops at a limit (a deflate bomb is
//! refused, not unpacked), and the design is read exactly as an imported design file is, with every
//! field validated and line:column errors.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use super::{Design, DesignError};

/// The longest payload read: no browser keeps a URL longer than about 2 MB.
pub const MAX_PAYLOAD_BYTES: usize = 2 * 1024 * 1024;

/// The most a payload may inflate to. The sample design's document is about 40 KB; a design a link
/// can carry deflates at most ~20:1, so anything past this is not a design the Studio wrote.
pub const MAX_INFLATED_BYTES: usize = 8 * 1024 * 1024;

/// Why a share link's payload was refused.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("the link holds {0} bytes of design; a share link holds at most {MAX_PAYLOAD_BYTES}")]
    PayloadTooLong(usize),
    #[error("the link is damaged: {0}")]
    Damaged(String),
    #[error(
        "the link's design inflates past {MAX_INFLATED_BYTES} bytes: refused (it is not a design the Studio wrote)"
    )]
    InflatesTooFar,
    #[error("the link's design is not valid: {0}")]
    Invalid(#[from] DesignError),
}

/// The design as a share link's payload: its JSON document, deflated, base64url without padding.
pub fn share_payload(design: &Design) -> String {
    let json = super::save_json(design);
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(json.as_bytes());
    let bytes = encoder.finish().unwrap_or_default();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The design a share link's payload holds, checked as an imported design file is.
pub fn open_share_payload(payload: &str) -> Result<Design, ShareError> {
    let payload = payload.trim();
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(ShareError::PayloadTooLong(payload.len()));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| ShareError::Damaged(e.to_string()))?;
    let mut inflated = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "past it".
    DeflateDecoder::new(bytes.as_slice())
        .take(MAX_INFLATED_BYTES as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| ShareError::Damaged(e.to_string()))?;
    if inflated.len() > MAX_INFLATED_BYTES {
        return Err(ShareError::InflatesTooFar);
    }
    let text = String::from_utf8(inflated)
        .map_err(|_| ShareError::Damaged("the design is not UTF-8 text".to_owned()))?;
    Ok(super::load_file("shared link", &text)?)
}
