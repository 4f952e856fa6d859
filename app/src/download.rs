//! Downloads made in the page: bytes → `Blob` → object URL → a click on a temporary link. Nothing is
//! uploaded anywhere.

use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::prelude::*;

/// Offers `bytes` as a file named `name`.
pub fn download(bytes: &[u8], name: &str, mime: &str) -> Result<(), String> {
    let fail = |what: &str| format!("could not offer the download: {what}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("object URL"))?;
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let document = window.document().ok_or_else(|| fail("no document"))?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("link"))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Revoke once the click has been handled, so the URL does not keep the bytes alive.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000);
    Ok(())
}

/// Puts `text` on the clipboard (the browser may refuse without a user gesture).
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        // The promise's outcome is not awaited: the text is also shown on the page to copy by hand.
        let _ = window.navigator().clipboard().write_text(text);
    }
}
