//! The page's end of the analysis worker: starts it, queues requests until it is listening, and hands
//! every answer to a callback.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::protocol::{Request, Response};

/// A running worker. Dropping it does not stop it; call [`WorkerLink::terminate`].
pub struct WorkerLink {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    pending: Rc<RefCell<Vec<JsValue>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl WorkerLink {
    /// Starts a worker on the worker's wasm module (named in index.html's `netpol-worker` meta tag).
    pub fn spawn(on_response: impl Fn(Response) + 'static) -> Result<WorkerLink, String> {
        let url = worker_url().ok_or("the page does not name the worker's wasm module")?;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&url, &options)
            .map_err(|err| format!("cannot start the analysis worker: {err:?}"))?;
        let ready = Rc::new(Cell::new(false));
        let pending: Rc<RefCell<Vec<JsValue>>> = Rc::default();
        let on_message = {
            let (ready, pending, worker) = (ready.clone(), pending.clone(), worker.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let text = event.data().as_string().unwrap_or_default();
                let response = match serde_json::from_str::<Response>(&text) {
                    Ok(response) => response,
                    Err(err) => Response::Failed {
                        message: format!("unreadable answer from the worker: {err}"),
                    },
                };
                if matches!(response, Response::Ready) {
                    ready.set(true);
                    for message in pending.borrow_mut().drain(..) {
                        let _ = worker.post_message(&message);
                    }
                }
                on_response(response);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(WorkerLink {
            worker,
            ready,
            pending,
            _on_message: on_message,
        })
    }

    /// Sends a request.
    pub fn send(&self, request: &Request) {
        self.post(request, None);
    }

    /// Sends a request with `File`s or `Blob`s beside it.
    pub fn send_with_files(&self, request: &Request, files: &js_sys::Array) {
        self.post(request, Some(files));
    }

    fn post(&self, request: &Request, files: Option<&js_sys::Array>) {
        let Ok(text) = serde_json::to_string(request) else {
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"json".into(), &JsValue::from_str(&text));
        if let Some(files) = files {
            let _ = js_sys::Reflect::set(&message, &"files".into(), files);
        }
        if self.ready.get() {
            let _ = self.worker.post_message(&message);
        } else {
            self.pending.borrow_mut().push(message.into());
        }
    }

    /// Stops the worker at once, whatever it is doing (cancel).
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

/// `worker.js?js=…&wasm=…`, relative to the page, naming the worker module's hashed files (index.html's
/// `netpol-worker` meta tag, written by the build).
fn worker_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let tag = document.query_selector("meta[name=netpol-worker]").ok()??;
    let base = document.base_uri().ok()??;
    let absolute = |relative: &str| {
        web_sys::Url::new_with_base(relative, &base)
            .ok()
            .map(|u| u.href())
    };
    let js = absolute(&tag.get_attribute("data-netpol-js")?)?;
    let wasm = absolute(&tag.get_attribute("data-netpol-wasm")?)?;
    let url = web_sys::Url::new_with_base("worker.js", &base).ok()?;
    url.search_params().set("js", &js);
    url.search_params().set("wasm", &wasm);
    Some(url.href())
}
