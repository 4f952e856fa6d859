//! "Migrate AdminNetworkPolicy to ClusterNetworkPolicy": offered while the design holds
//! AdminNetworkPolicies or a BaselineAdminNetworkPolicy (Calico 3.29–3.31's kinds, which 3.32 no
//! longer enforces). Core rewrites them and proves the verdicts (`board::migrate_admin_policies`);
//! the migrated design replaces the current one as one undoable edit, and core's summary of the
//! proof is shown as it is.

use leptos::prelude::*;
use netpol_core::board;

use crate::state::use_studio;

/// The button and, once pressed, the proof's summary (or why the migration could not run).
#[component]
pub fn MigrateAdminPolicies() -> impl IntoView {
    let studio = use_studio();
    let offered = Memo::new(move |_| studio.with(board::has_admin_policies));
    let outcome = RwSignal::new(None::<Result<Vec<String>, String>>);
    let migrate = move |_| {
        let migrated = studio.with_untracked(board::migrate_admin_policies);
        outcome.set(Some(match migrated {
            Ok(migrated) => {
                let summary = migrated.summary();
                studio.replace(
                    "migrate AdminNetworkPolicy to ClusterNetworkPolicy",
                    migrated.design,
                );
                Ok(summary)
            }
            Err(err) => Err(err.to_string()),
        }));
    };
    view! {
        <Show when=move || offered.get() || outcome.get().is_some()>
            <section class="migrate-anp card" aria-label="AdminNetworkPolicy migration">
                <h3>"AdminNetworkPolicy → ClusterNetworkPolicy"</h3>
                <Show when=move || offered.get()>
                    <p class="muted">
                        "The design holds AdminNetworkPolicy or BaselineAdminNetworkPolicy objects, which Calico 3.32 no longer enforces. Migrating rewrites them as ClusterNetworkPolicies and compares every flow's verdict before and after (Undo takes it back)."
                    </p>
                    <button class="primary" on:click=migrate>
                        "Migrate AdminNetworkPolicy to ClusterNetworkPolicy"
                    </button>
                </Show>
                {move || outcome.get().map(|result| match result {
                    Ok(lines) => view! {
                        <div class="import-report merged migration-report" role="status">
                            <p>"Migrated."</p>
                            <ul>
                                {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                            </ul>
                        </div>
                    }
                        .into_any(),
                    Err(why) => view! {
                        <div class="import-report rejected" role="alert">
                            <p class="error">{format!("Nothing migrated: {why}")}</p>
                        </div>
                    }
                        .into_any(),
                })}
            </section>
        </Show>
    }
}
