//! Labels as the formats write them, to `key=value` items (`../shared/flows/README.md`, "Pitfalls"):
//! Calico `{"labels":["k=v"]}`, the emitter's `["k=v"]`, Whisker's one `" | "`-joined string, Hubble's
//! `k8s:`-prefixed strings with namespace labels mixed in, CSV's `;`-joined pairs.

use std::borrow::Cow;

/// Splits one `key=value` item on the first `=` (values may be empty or contain `=`).
pub(crate) fn split_label(item: &str) -> (&str, &str) {
    item.split_once('=').unwrap_or((item, ""))
}

/// Whisker's `"a=1 | b=2"`.
pub(crate) fn split_whisker(joined: Cow<'_, str>) -> Vec<Cow<'_, str>> {
    match joined {
        Cow::Borrowed(s) => s
            .split(" | ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Cow::Borrowed)
            .collect(),
        Cow::Owned(s) => s
            .split(" | ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Cow::Owned(s.to_owned()))
            .collect(),
    }
}

/// CSV's `a=1;b=2`.
pub(crate) fn split_csv(joined: &str) -> Vec<Cow<'_, str>> {
    joined
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Cow::Borrowed)
        .collect()
}

/// What one Hubble label is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HubbleLabel<'a> {
    /// A pod label (`k8s:` prefix removed).
    Pod(Cow<'a, str>),
    /// A namespace label (`io.cilium.k8s.namespace.labels.` removed).
    Namespace(Cow<'a, str>),
    /// `reserved:world` and friends: the end is outside the cluster.
    World,
    /// `reserved:host` / `reserved:remote-node`: a node.
    Host,
    /// Bookkeeping (`io.cilium.*`, `io.kubernetes.pod.namespace`, `cidr:`, other reserved): dropped.
    Ignored,
}

/// Classifies one Hubble label.
pub(crate) fn hubble_label<'a>(label: Cow<'a, str>) -> HubbleLabel<'a> {
    let classify = |s: &str| -> (usize, u8) {
        // (offset of the label proper, class): 0 pod, 1 namespace, 2 world, 3 host, 4 ignored
        if let Some(rest) = s.strip_prefix("reserved:") {
            return match rest.split_once('=').map_or(rest, |(k, _)| k) {
                "world" | "world-ipv4" | "world-ipv6" => (0, 2),
                "host" | "remote-node" | "kube-apiserver" => (0, 3),
                _ => (0, 4),
            };
        }
        let Some((source, rest)) = s.split_once(':') else {
            return (0, 0);
        };
        if source.contains('=') || source.contains('/') {
            return (0, 0); // no source prefix: `k=v` with a colon in the value
        }
        let offset = source.len() + 1;
        if source != "k8s" && source != "container" && source != "any" {
            return (0, 4);
        }
        const NS: &str = "io.cilium.k8s.namespace.labels.";
        if rest.starts_with(NS) {
            (offset + NS.len(), 1)
        } else if rest.starts_with("io.cilium.") || rest.starts_with("io.kubernetes.pod.namespace=")
        {
            (0, 4)
        } else {
            (offset, 0)
        }
    };
    let (offset, class) = classify(&label);
    let cut = |l: Cow<'a, str>| -> Cow<'a, str> {
        match l {
            Cow::Borrowed(s) => Cow::Borrowed(&s[offset..]),
            Cow::Owned(s) => Cow::Owned(s[offset..].to_owned()),
        }
    };
    match class {
        0 => HubbleLabel::Pod(cut(label)),
        1 => HubbleLabel::Namespace(cut(label)),
        2 => HubbleLabel::World,
        3 => HubbleLabel::Host,
        _ => HubbleLabel::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_on_the_first_equals() {
        assert_eq!(
            split_label("node-role.kubernetes.io/worker="),
            ("node-role.kubernetes.io/worker", "")
        );
        assert_eq!(split_label("a=b=c"), ("a", "b=c"));
        assert_eq!(split_label("flag"), ("flag", ""));
        assert_eq!(split_whisker("a=1 | b=2".into()), ["a=1", "b=2"]);
        assert_eq!(split_csv("a=1;b=2;"), ["a=1", "b=2"]);
    }

    #[test]
    fn hubble_labels_are_classified() {
        let c = |s: &'static str| hubble_label(Cow::Borrowed(s));
        assert_eq!(
            c("k8s:app.kubernetes.io/name=x"),
            HubbleLabel::Pod("app.kubernetes.io/name=x".into())
        );
        assert_eq!(
            c("k8s:io.cilium.k8s.namespace.labels.env=prod"),
            HubbleLabel::Namespace("env=prod".into())
        );
        assert_eq!(
            c("k8s:io.cilium.k8s.policy.cluster=default"),
            HubbleLabel::Ignored
        );
        assert_eq!(c("k8s:io.kubernetes.pod.namespace=a"), HubbleLabel::Ignored);
        assert_eq!(c("reserved:world"), HubbleLabel::World);
        assert_eq!(c("reserved:world-ipv4"), HubbleLabel::World);
        assert_eq!(c("reserved:host"), HubbleLabel::Host);
        assert_eq!(c("cidr:203.0.113.10/32"), HubbleLabel::Ignored);
    }
}
