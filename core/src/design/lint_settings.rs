//! The design's lint settings (`spec.lint`): which lints run and their thresholds. They belong to the
//! design document, which the lints read; the lints themselves live in `crate::lint`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::namespaces::SYSTEM_NAMESPACES;

/// Which lints run, and their thresholds. Stored in the design document (`lint:`), so a team can turn
/// a lint off for one design; every field defaults, so an empty map is the default configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LintConfig {
    /// Ids of the lints that are turned off.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub allow: BTreeSet<String>,
    /// `inline-cidrs` fires when one `nets`/`notNets` list has more entries than this.
    pub max_inline_cidrs: usize,
    /// Namespaces a global default deny must leave alone.
    pub system_namespaces: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> LintConfig {
        LintConfig {
            allow: BTreeSet::new(),
            max_inline_cidrs: 4,
            system_namespaces: SYSTEM_NAMESPACES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

impl LintConfig {
    /// Whether the lint with that id runs.
    pub fn is_enabled(&self, id: &str) -> bool {
        !self.allow.contains(id)
    }

    /// Whether this is the default configuration (the design document then omits it).
    pub fn is_default(&self) -> bool {
        *self == LintConfig::default()
    }

    /// Turns a lint off.
    pub fn allow(mut self, id: &str) -> LintConfig {
        self.allow.insert(id.to_owned());
        self
    }
}
