//! A lint fixture read as plain resources (as `netpol lint` reads a YAML file), for the Calico
//! release its first line names (`# ... (calico-version: 3.30)`), else the default one.

use netpol_core::design::Input;
use netpol_core::model::{CalicoVersion, ResourceSet};

pub fn fixture_resources(input: &Input, text: &str) -> ResourceSet {
    let first = text.lines().next().unwrap_or_default();
    match first.split("(calico-version: ").nth(1) {
        Some(rest) => {
            let version: CalicoVersion = rest
                .split(')')
                .next()
                .unwrap_or_default()
                .parse()
                .expect("a Calico version");
            input.resource_set_for(version)
        }
        None => input.resource_set(),
    }
}
