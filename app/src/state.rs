//! The design state of the Studio: the design document in a signal, the undo/redo history of whole
//! snapshots, and autosave to `localStorage`.
//!
//! Every edit goes through [`Studio::edit`] (or [`Studio::replace`]), which records the snapshot that
//! undo returns to and the edit's name ("add tier team-review"), which the Undo button's title and the
//! toast after an undo show. Views read the design through [`Studio::with`] so they re-render when it
//! changes.

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

/// A design to return to, and the name of the edit that left it.
struct Step {
    design: Design,
    edit: String,
}

/// Undo and redo stacks of whole-design snapshots.
#[derive(Default)]
struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

/// What the last undo or redo did ("Undid: add tier team-review"), for the toast; `serial` tells two
/// equal messages apart, so that the toast's timer hides only its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryNotice {
    pub text: String,
    pub serial: u32,
}

/// The Studio's state, shared with every component through context. Cheap to copy (all signals).
#[derive(Clone, Copy)]
pub struct Studio {
    design: RwSignal<Design>,
    history: StoredValue<History>,
    /// The names of the edits undo and redo would take back or re-apply next.
    next_undo: RwSignal<Option<String>>,
    next_redo: RwSignal<Option<String>>,
    /// What the last undo or redo did, until the toast hides it.
    pub history_notice: RwSignal<Option<HistoryNotice>>,
    /// How many notices were given (each one's serial).
    notices: StoredValue<u32>,
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
            next_undo: RwSignal::new(None),
            next_redo: RwSignal::new(None),
            history_notice: RwSignal::new(None),
            notices: StoredValue::new(0),
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

    /// Applies an edit to the design as one undoable step; `name` says what it does, in the words the
    /// toast after an undo shows ("Undid: add tier team-review").
    pub fn edit(&self, name: impl Into<String>, change: impl FnOnce(&mut Design)) {
        let before = self.design.get_untracked();
        let mut after = before.clone();
        change(&mut after);
        if after == before {
            return;
        }
        let edit = name.into();
        self.history.update_value(|history| {
            history.undo.push(Step {
                design: before,
                edit,
            });
            if history.undo.len() > HISTORY_LIMIT {
                history.undo.remove(0);
            }
            history.redo.clear();
        });
        self.design.set(after);
        self.sync_history_flags();
    }

    /// Replaces the whole design (import, new design) as one undoable step named `name`.
    pub fn replace(&self, name: impl Into<String>, design: Design) {
        self.edit(name, move |current| *current = design);
    }

    /// Returns to the design before the last edit, and says which edit it took back.
    pub fn undo(&self) {
        let current = self.design.get_untracked();
        let undone = self.history.try_update_value(|history| {
            let Step { design, edit } = history.undo.pop()?;
            history.redo.push(Step {
                design: current,
                edit: edit.clone(),
            });
            Some((design, edit))
        });
        if let Some(Some((previous, edit))) = undone {
            self.design.set(previous);
            self.notify(format!("Undid: {edit}"));
        }
        self.sync_history_flags();
    }

    /// Re-applies the edit undo took back, and says which.
    pub fn redo(&self) {
        let current = self.design.get_untracked();
        let redone = self.history.try_update_value(|history| {
            let Step { design, edit } = history.redo.pop()?;
            history.undo.push(Step {
                design: current,
                edit: edit.clone(),
            });
            Some((design, edit))
        });
        if let Some(Some((next, edit))) = redone {
            self.design.set(next);
            self.notify(format!("Redid: {edit}"));
        }
        self.sync_history_flags();
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.next_undo.with(Option::is_some)
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.next_redo.with(Option::is_some)
    }

    /// The name of the edit undo would take back.
    pub fn next_undo(&self) -> Option<String> {
        self.next_undo.get()
    }

    /// The name of the edit redo would re-apply.
    pub fn next_redo(&self) -> Option<String> {
        self.next_redo.get()
    }

    fn notify(&self, text: String) {
        self.notices.update_value(|n| *n = n.wrapping_add(1));
        let serial = self.notices.get_value();
        self.history_notice
            .set(Some(HistoryNotice { text, serial }));
    }

    fn sync_history_flags(&self) {
        let (undo, redo) = self.history.with_value(|history| {
            let name = |steps: &[Step]| steps.last().map(|step| step.edit.clone());
            (name(&history.undo), name(&history.redo))
        });
        self.next_undo.set(undo);
        self.next_redo.set(redo);
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
