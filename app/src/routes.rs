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
    Export,
}

impl Route {
    /// Every view, in navigation order.
    pub const ALL: [Route; 7] = [
        Route::Taxonomy,
        Route::Workloads,
        Route::Board,
        Route::Canvas,
        Route::Editor,
        Route::Impact,
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

/// The current route, following `hashchange`.
pub fn hash_route() -> ReadSignal<Route> {
    let current = || Route::from_hash(&window().location().hash().unwrap_or_default());
    let (route, set_route) = signal(current());
    // The listener lives as long as the page: the app never unmounts.
    let _listener =
        window_event_listener(leptos::ev::hashchange, move |_| set_route.set(current()));
    route
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
