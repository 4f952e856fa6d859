//! The design state of the Studio: the design document in a signal, the undo/redo history of whole
//! snapshots, and autosave to `localStorage`.
//!
//! Every edit goes through [`Studio::edit`] (or [`Studio::replace`]), which records the snapshot that
//! undo returns to. Views read the design through [`Studio::with`] so they re-render when it changes.

use leptos::prelude::*;

pub use netpol_core::design::{Design, sample};

mod autosave;

pub use autosave::decode_stored_design;
use autosave::{decode_autosave, encode_autosave};

/// The key under which the design document is autosaved.
const STORAGE_KEY: &str = "netpol-studio/design";
/// The key under which the environment being viewed is kept.
const ENVIRONMENT_KEY: &str = "netpol-studio/environment";
/// The most snapshots undo keeps; older ones are dropped.
const HISTORY_LIMIT: usize = 100;

/// The environments offered when the design declares none.
const DEFAULT_ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

/// The names of the environments the design can be viewed for: the design's own, else dev/staging/prod.
pub fn environment_names(design: &Design) -> Vec<String> {
    if design.environments.is_empty() {
        DEFAULT_ENVIRONMENTS
            .iter()
            .map(|name| (*name).to_owned())
            .collect()
    } else {
        design
            .environments
            .iter()
            .map(|env| env.name.clone())
            .collect()
    }
}

/// Whether the last change reached storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is in storage.
    Saved,
    /// Storage refused the design (quota, private mode); the message says why.
    Failed(String),
}

/// Undo and redo stacks of whole-design snapshots.
#[derive(Default)]
struct History {
    undo: Vec<Design>,
    redo: Vec<Design>,
}

/// The Studio's state, shared with every component through context. Cheap to copy (all signals).
#[derive(Clone, Copy)]
pub struct Studio {
    design: RwSignal<Design>,
    history: StoredValue<History>,
    can_undo: RwSignal<bool>,
    can_redo: RwSignal<bool>,
    /// The environment the design is viewed for.
    pub environment: RwSignal<String>,
    /// The outcome of the last autosave.
    pub save_state: RwSignal<SaveState>,
    /// Why the autosave found at startup could not be read (it is kept aside), if it could not.
    pub unreadable_autosave: RwSignal<Option<String>>,
}

impl Studio {
    /// Loads the autosaved design (or the sample on the first visit) and starts autosaving.
    pub fn load() -> Studio {
        let (restored, unreadable) = match read_storage() {
            Ok(restored) => (restored, None),
            Err(why) => (None, Some(why)),
        };
        let (design, saved_environment) = match restored {
            Some(restored) => (restored.design, restored.environment),
            None => (sample(), None),
        };
        let environment = saved_environment
            .or_else(read_environment)
            .or_else(|| environment_names(&design).into_iter().next())
            .unwrap_or_default();
        let studio = Studio {
            design: RwSignal::new(design),
            history: StoredValue::new(History::default()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            environment: RwSignal::new(environment),
            save_state: RwSignal::new(SaveState::Saved),
            unreadable_autosave: RwSignal::new(unreadable),
        };
        // Autosave: one effect that writes the design whenever it or the environment changes.
        Effect::new(move |_| {
            let outcome = studio
                .design
                .with(|design| write_storage(&encode_autosave(design), &studio.environment.get()));
            studio.save_state.set(match outcome {
                Ok(()) => SaveState::Saved,
                Err(message) => SaveState::Failed(message),
            });
        });
        studio
    }

    /// Reads the design, subscribing the caller to changes.
    pub fn with<R>(&self, read: impl FnOnce(&Design) -> R) -> R {
        self.design.with(read)
    }

    /// Reads the design without subscribing the caller.
    pub fn with_untracked<R>(&self, read: impl FnOnce(&Design) -> R) -> R {
        self.design.with_untracked(read)
    }

    /// Applies an edit to the design as one undoable step.
    pub fn edit(&self, change: impl FnOnce(&mut Design)) {
        let before = self.design.get_untracked();
        let mut after = before.clone();
        change(&mut after);
        if after == before {
            return;
        }
        self.history.update_value(|history| {
            history.undo.push(before);
            if history.undo.len() > HISTORY_LIMIT {
                history.undo.remove(0);
            }
            history.redo.clear();
        });
        self.design.set(after);
        self.sync_history_flags();
    }

    /// Replaces the whole design (import, new design) as one undoable step.
    pub fn replace(&self, design: Design) {
        self.edit(move |current| *current = design);
    }

    /// Returns to the design before the last edit.
    pub fn undo(&self) {
        let current = self.design.get_untracked();
        let previous = self.history.try_update_value(|history| {
            let previous = history.undo.pop()?;
            history.redo.push(current);
            Some(previous)
        });
        if let Some(Some(previous)) = previous {
            self.design.set(previous);
        }
        self.sync_history_flags();
    }

    /// Re-applies the edit undo took back.
    pub fn redo(&self) {
        let current = self.design.get_untracked();
        let next = self.history.try_update_value(|history| {
            let next = history.redo.pop()?;
            history.undo.push(current);
            Some(next)
        });
        if let Some(Some(next)) = next {
            self.design.set(next);
        }
        self.sync_history_flags();
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.can_undo.get()
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.can_redo.get()
    }

    fn sync_history_flags(&self) {
        let (undo, redo) = self
            .history
            .with_value(|history| (!history.undo.is_empty(), !history.redo.is_empty()));
        self.can_undo.set(undo);
        self.can_redo.set(redo);
    }
}

/// The Studio's state from context (provided by `App`).
pub fn use_studio() -> Studio {
    expect_context::<Studio>()
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The autosaved design (`None` on a first visit), or why what is stored cannot be read: then the
/// Studio starts on the sample, and the stored text is kept under a backup key so nothing is lost.
fn read_storage() -> Result<Option<autosave::Restored>, String> {
    let Some(storage) = storage() else {
        return Ok(None);
    };
    let Some(text) = storage.get_item(STORAGE_KEY).ok().flatten() else {
        return Ok(None);
    };
    decode_autosave(&text).map(Some).map_err(|why| {
        let backup = format!("{STORAGE_KEY}.unreadable");
        let _ = storage.set_item(&backup, &text);
        leptos::logging::warn!(
            "the autosaved design could not be read ({why}); it is kept under `{backup}`; starting on the sample"
        );
        why
    })
}

fn read_environment() -> Option<String> {
    storage()?.get_item(ENVIRONMENT_KEY).ok().flatten()
}

fn write_storage(document: &str, environment: &str) -> Result<(), String> {
    let storage = storage().ok_or("this browser offers no local storage")?;
    let refused = |_| "the browser refused to store the design (storage full?)".to_owned();
    storage.set_item(STORAGE_KEY, document).map_err(refused)?;
    storage
        .set_item(ENVIRONMENT_KEY, environment)
        .map_err(refused)
}
