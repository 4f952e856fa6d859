//! A taxonomy value that names an environment. A namespace belongs to an environment through a label
//! whose key is an environment key ([`is_environment_key`]) and whose value is the environment's name,
//! so renaming that value must rename the environment too: otherwise the namespace no longer matches
//! any environment and the Fleet export ships it, and its policies, to every environment.

use super::RenameError;
use crate::design::Design;
use crate::model::vocabulary::annotations::ENVIRONMENTS_ANNOTATION;

/// Whether a label key puts namespaces in an environment: its last segment is `environment` or `env`
/// (`security.company.io/environment`, `env`).
pub fn is_environment_key(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key);
    matches!(last, "environment" | "env")
}

/// The index of the environment a rename of `key`'s value `from` to `to` renames, if any; an error
/// when another environment is already called `to` (the two would merge).
pub(super) fn renamed_environment(
    design: &Design,
    key: &str,
    from: &str,
    to: &str,
) -> Result<Option<usize>, RenameError> {
    if !is_environment_key(key) {
        return Ok(None);
    }
    let Some(index) = design.environments.iter().position(|e| e.name == from) else {
        return Ok(None);
    };
    if design.environments.iter().any(|e| e.name == to) {
        return Err(RenameError::EnvironmentExists(to.to_owned()));
    }
    Ok(Some(index))
}

/// Renames environment `index` from `from` to `to`, and `from` in every object's
/// [`ENVIRONMENTS_ANNOTATION`] list; returns how many annotations changed. The environment's cluster
/// selector is left alone: it is the clusters' own labels in Rancher, which a design rename does not
/// change, so the export keeps deploying to the same clusters.
pub(super) fn rename_environment(design: &mut Design, index: usize, from: &str, to: &str) -> usize {
    if let Some(env) = design.environments.get_mut(index) {
        env.name = to.to_owned();
    }
    let annotations = design
        .policies
        .iter_mut()
        .map(|p| &mut p.metadata.annotations)
        .chain(
            design
                .kubernetes_policies
                .iter_mut()
                .map(|p| &mut p.metadata.annotations),
        )
        .chain(
            design
                .network_sets
                .iter_mut()
                .map(|s| &mut s.metadata.annotations),
        );
    let mut changed = 0;
    for annotations in annotations {
        let Some(list) = annotations.get_mut(ENVIRONMENTS_ANNOTATION) else {
            continue;
        };
        if !list.split(',').any(|e| e.trim() == from) {
            continue;
        }
        // Only the name changes: the list keeps its spacing.
        *list = list
            .split(',')
            .map(|e| {
                if e.trim() == from {
                    e.replacen(from, to, 1)
                } else {
                    e.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        changed += 1;
    }
    changed
}
