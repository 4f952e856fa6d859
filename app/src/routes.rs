//! Hash routing: `#/board`, `#/taxonomy`, … The fragment never reaches a server, so the static site
//! needs no rewrite rules and works from any sub-path.

use leptos::prelude::*;

/// The views of the Studio, in the order of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Taxonomy,
    Workloads,
    Board,
    Canvas,
    Editor,
    Impact,
    Coverage,
    Export,
}

impl Route {
    /// Every view, in navigation order.
    pub const ALL: [Route; 8] = [
        Route::Taxonomy,
        Route::Workloads,
        Route::Board,
        Route::Canvas,
        Route::Editor,
        Route::Impact,
        Route::Coverage,
        Route::Export,
    ];

    /// The fragment segment of the view (`#/<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            Route::Taxonomy => "taxonomy",
            Route::Workloads => "workloads",
            Route::Board => "board",
            Route::Canvas => "canvas",
            Route::Editor => "editor",
            Route::Impact => "impact",
            Route::Coverage => "coverage",
            Route::Export => "export",
        }
    }

    /// The name shown in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Route::Taxonomy => "Taxonomy",
            Route::Workloads => "Namespaces & workloads",
            Route::Board => "Policy board",
            Route::Canvas => "Flow canvas",
            Route::Editor => "Policy editor",
            Route::Impact => "Impact",
            Route::Coverage => "Coverage",
            Route::Export => "Export",
        }
    }

    /// The link to the view.
    pub fn href(self) -> String {
        format!("#/{}", self.slug())
    }

    /// The view a fragment names; the policy board for an empty or unknown fragment.
    pub fn from_hash(hash: &str) -> Route {
        let slug = hash.trim_start_matches('#').trim_start_matches('/');
        let slug = slug.split(['/', '?']).next().unwrap_or_default();
        Route::ALL
            .into_iter()
            .find(|route| route.slug() == slug)
            .unwrap_or(Route::Board)
    }
}

/// The URL fragment without its `#/`, e.g. `editor/3`; provided as context by [`hash_route`].
#[derive(Clone, Copy)]
pub struct Fragment(pub ReadSignal<String>);

/// The current route, following `hashchange`. Also provides the whole fragment ([`use_fragment`]) for
/// views that take a parameter.
pub fn hash_route() -> Memo<Route> {
    let current = || {
        window()
            .location()
            .hash()
            .unwrap_or_default()
            .trim_start_matches('#')
            .trim_start_matches('/')
            .to_owned()
    };
    let (fragment, set_fragment) = signal(current());
    // The listener lives as long as the page: the app never unmounts.
    let _listener =
        window_event_listener(leptos::ev::hashchange, move |_| set_fragment.set(current()));
    provide_context(Fragment(fragment));
    Memo::new(move |_| Route::from_hash(&fragment.get()))
}

/// The URL fragment without its `#/`.
pub fn use_fragment() -> ReadSignal<String> {
    expect_context::<Fragment>().0
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn fragments_map_to_views() {
        assert_eq!(Route::from_hash(""), Route::Board);
        assert_eq!(Route::from_hash("#/taxonomy"), Route::Taxonomy);
        assert_eq!(
            Route::from_hash("#/editor/checkout/allow-dns"),
            Route::Editor
        );
        assert_eq!(Route::from_hash("#/nowhere"), Route::Board);
        for route in Route::ALL {
            assert_eq!(Route::from_hash(&route.href()), route);
        }
    }
}
