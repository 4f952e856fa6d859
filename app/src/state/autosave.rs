//! What autosave writes and reads: the versioned design document (`netpol_core::design::save_json`),
//! read back by core's one reader (`netpol_core::design::load_file`), so that a bad autosave is
//! reported with its line and column like any other design document. The autosave of earlier
//! versions (the serde form of `Design` wrapped with the environment) is still read, once: the next
//! autosave writes the document.

use netpol_core::design::{self, Design};
use serde::Deserialize;

/// The name the autosave has in diagnostics (`autosave.json:3:7: error: …`).
pub const AUTOSAVE_FILE: &str = "autosave.json";

/// How the autosave of earlier versions begins: `serde_json` wrote [`LegacyAutosave`]'s fields in
/// order, and a design document never begins so.
const LEGACY_PREFIX: &str = "{\"design\":";

/// A design read back from storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub design: Design,
    /// The environment being viewed, which the autosave of earlier versions kept beside the design.
    pub environment: Option<String>,
}

/// The autosave of earlier versions.
#[derive(Deserialize)]
struct LegacyAutosave {
    design: Design,
    #[serde(default)]
    environment: String,
}

/// The text autosave stores for `design`.
pub fn encode_autosave(design: &Design) -> String {
    design::save_json(design)
}

/// The design an autosave holds, or why it cannot be read (with the line and column).
pub fn decode_autosave(text: &str) -> Result<Restored, String> {
    if text.starts_with(LEGACY_PREFIX) {
        return serde_json::from_str::<LegacyAutosave>(text)
            .map(|legacy| Restored {
                design: legacy.design,
                environment: Some(legacy.environment).filter(|env| !env.is_empty()),
            })
            .map_err(|err| format!("{AUTOSAVE_FILE}:{}:{}: {err}", err.line(), err.column()));
    }
    design::load_file(AUTOSAVE_FILE, text)
        .map(|design| Restored {
            design,
            environment: None,
        })
        .map_err(|err| err.to_string())
}

/// A design kept in storage by itself (the Impact view's baseline): a design document, or the serde
/// form of `Design` earlier versions stored.
pub fn decode_stored_design(name: &str, text: &str) -> Result<Design, String> {
    match design::load_file(name, text) {
        Ok(design) => Ok(design),
        Err(err) => serde_json::from_str::<Design>(text).map_err(|_| err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_survives_its_autosave() {
        for design in [design::sample(), design::baseline()] {
            let text = encode_autosave(&design);
            assert!(text.contains("\"kind\": \"Design\""), "{text}");
            let restored = decode_autosave(&text).expect("the autosave reads back");
            assert_eq!(restored.design, design);
            assert_eq!(restored.environment, None);
            assert_eq!(
                decode_stored_design("baseline.json", &text).as_ref(),
                Ok(&design)
            );
        }
    }

    #[test]
    fn the_autosave_of_earlier_versions_is_read_with_its_environment() {
        let design = design::sample();
        let legacy = serde_json::json!({"design": design, "environment": "staging"});
        let text = serde_json::to_string(&legacy).expect("serializes");
        let restored = decode_autosave(&text).expect("the old autosave reads");
        assert_eq!(restored.design, design);
        assert_eq!(restored.environment.as_deref(), Some("staging"));
        // The baseline of earlier versions: the serde form of the design alone.
        let bare = serde_json::to_string(&design).expect("serializes");
        assert_eq!(decode_stored_design("baseline.json", &bare), Ok(design));
    }

    #[test]
    fn a_bad_autosave_is_reported_with_line_and_column() {
        let mut text = encode_autosave(&design::sample());
        // Break the document on its third line.
        let third = text.match_indices('\n').nth(1).map_or(0, |(at, _)| at + 1);
        text.insert_str(third, "  \"broken\n");
        let err = decode_autosave(&text).expect_err("a broken document is refused");
        // The unterminated string runs into the next line, where the parser stops.
        assert!(err.starts_with("autosave.json:4:4: error:"), "{err}");

        let legacy = "{\"design\":{\"name\":7},\"environment\":\"dev\"}";
        let err = decode_autosave(legacy).expect_err("a broken old autosave is refused");
        assert!(err.starts_with("autosave.json:1:"), "{err}");
    }
}
