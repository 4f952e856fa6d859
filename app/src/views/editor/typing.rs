//! The editors' YAML box as the user types into it: parsed once typing pauses, not on every key, and
//! not at all beyond a size one policy never reaches. A big paste (a whole repository's YAML) is for
//! the Import panel, which reads many documents at once; the box offers to take it there, and keeps
//! the text either way.
//!
//! Parsing stays on the page: under the size cap core's reader takes a few milliseconds, and the
//! analysis worker may be busy for seconds with a flow import, which would make every keystroke wait.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::prelude::*;
use netpol_core::yaml::Diagnostic;

use crate::import::PendingImport;

/// How long typing must pause before the text is parsed.
const PAUSE: Duration = Duration::from_millis(250);

/// The largest text the editor parses: a policy with hundreds of rules stays well below it.
pub const PARSE_LIMIT: usize = 64 * 1024;

/// At most this many problems are listed; the rest are counted.
const PROBLEMS_SHOWN: usize = 20;

/// Whether the editor parses `text` at all.
fn parses(text: &str) -> bool {
    text.len() <= PARSE_LIMIT
}

/// A parse waiting for typing to pause.
type Parse = Box<dyn FnOnce() + Send>;

/// The pending parse of one YAML box (each input replaces the one before), and a paste too large to
/// read, set aside. The pending parse lives outside the reactive owner so that leaving the view right
/// after typing (a click on a link blurs the box; a route change cleans the view up) still applies it:
/// what was typed is never dropped.
#[derive(Clone)]
pub struct Typing {
    generation: Arc<AtomicU64>,
    pending: Arc<Mutex<Option<Parse>>>,
    /// A text too large to parse, kept out of the box: a textarea holding a megabyte costs Chromium
    /// seconds of layout on every frame that touches it, which is the freeze this avoids.
    set_aside: RwSignal<Option<String>>,
}

impl Typing {
    /// A new box's typing state; a parse still pending when the view goes away is applied then.
    pub fn new() -> Typing {
        let typing = Typing {
            generation: Arc::new(AtomicU64::new(0)),
            pending: Arc::new(Mutex::new(None)),
            set_aside: RwSignal::new(None),
        };
        let flush = typing.clone();
        on_cleanup(move || flush.flush());
        typing
    }

    /// Takes the box's new text: `Some(text)` to show in the box, parsed by `parse` once typing has
    /// paused (or the box is left); `None` for a text over [`PARSE_LIMIT`], which is set aside (the
    /// box goes back to what it held) for "Import instead".
    pub fn input(
        &self,
        text: String,
        parse: impl FnOnce(String) + Send + 'static,
    ) -> Option<String> {
        self.generation.fetch_add(1, Ordering::Relaxed);
        if !parses(&text) {
            self.take_pending();
            self.set_aside.set(Some(text));
            return None;
        }
        self.set_aside.set(None);
        let shown = text.clone();
        if let Ok(mut pending) = self.pending.lock() {
            *pending = Some(Box::new(move || parse(text)));
        }
        let (generation, this) = (self.generation.load(Ordering::Relaxed), self.clone());
        set_timeout(
            move || {
                if this.generation.load(Ordering::Relaxed) == generation {
                    this.flush();
                }
            },
            PAUSE,
        );
        Some(shown)
    }

    /// Applies the pending parse now (the box lost the focus, or the view is going).
    pub fn flush(&self) {
        if let Some(parse) = self.take_pending() {
            parse();
        }
    }

    fn take_pending(&self) -> Option<Parse> {
        self.pending.lock().ok().and_then(|mut p| p.take())
    }

    /// A paste of more than [`PARSE_LIMIT`] never enters the box: it is set aside before the browser
    /// inserts it (its layout alone is a long task). Smaller pastes go in as typed text.
    pub fn paste(&self, ev: &leptos::web_sys::ClipboardEvent) {
        let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
            return;
        };
        if !parses(&text) {
            ev.prevent_default();
            self.generation.fetch_add(1, Ordering::Relaxed);
            self.take_pending();
            self.set_aside.set(Some(text));
        }
    }
}

/// The notice for a paste too large to parse: its way to the Import panel, or away.
#[component]
pub fn TooLarge(typing: Typing) -> impl IntoView {
    let pending = use_context::<PendingImport>();
    let set_aside = typing.set_aside;
    move || {
        let bytes = set_aside.with(|t| t.as_ref().map(String::len))?;
        let to_import = move |_| {
            if let (Some(pending), Some(text)) =
                (pending, set_aside.try_update(Option::take).flatten())
            {
                pending.0.set(Some(text));
            }
        };
        Some(view! {
            <div class="notice too-large" role="status">
                {format!(
                    "You pasted {} KB: more than one policy, so the editor did not take it (it reads up \
                     to {} KB; the box keeps the policy). The text is kept until you choose.",
                    bytes.div_ceil(1024),
                    PARSE_LIMIT / 1024,
                )}
                " "
                <button on:click=to_import>"Import instead"</button>
                " "
                <button on:click=move |_| set_aside.set(None)>"Discard the paste"</button>
            </div>
        })
    }
}

/// The box's `input` handler: shows the typed text and parses it once typing pauses, or, for a text
/// set aside, puts back what the box held (`text`).
pub fn on_input(
    typing: &Typing,
    ev: &leptos::ev::Event,
    (text, set_text): (ReadSignal<String>, WriteSignal<String>),
    parse: impl FnOnce(String) + Send + 'static,
) {
    match typing.input(event_target_value(ev), parse) {
        Some(shown) => set_text.set(shown),
        None => set_textarea(ev, &text.get_untracked()),
    }
}

/// Puts `text` back into the textarea an input event came from.
fn set_textarea(ev: &leptos::ev::Event, text: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(area) = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok())
    {
        area.set_value(text);
    }
}

/// The problems of the text, at their line and column; a long list is cut with a count.
pub fn problems_view(problems: Vec<Diagnostic>) -> impl IntoView {
    let hidden = problems.len().saturating_sub(PROBLEMS_SHOWN);
    let shown = problems
        .into_iter()
        .take(PROBLEMS_SHOWN)
        .map(|d| {
            let at = if d.line > 0 {
                format!("{}:{}", d.line, d.column)
            } else {
                String::new()
            };
            view! {
                <li class="error">
                    <span class="at">{at}</span>
                    " "
                    {d.message}
                </li>
            }
        })
        .collect_view();
    let more = (hidden > 0).then(|| view! { <li class="more">{format!("and {hidden} more")}</li> });
    view! { {shown} {more} }
}
