//! Selectors evaluated over every entity at once: an inverted index from label to the set of entities
//! that carry it, so a selector costs a few bit-set operations instead of one evaluation per entity
//! (the lints evaluate thousands of selectors against thousands of workloads).

use std::collections::HashMap;

use crate::model::Labels;
use crate::selector::{Expr, MatchOp};

use super::space::Bits;

/// One label key: who has it, and who has each value.
#[derive(Default)]
struct KeyIndex {
    has: Option<Bits>,
    values: HashMap<String, Bits>,
}

/// Label maps of `len` entities, indexed.
pub struct LabelIndex {
    len: usize,
    keys: HashMap<String, KeyIndex>,
}

impl LabelIndex {
    /// Indexes one label map per entity, in entity order.
    pub fn new<'a>(maps: impl IntoIterator<Item = &'a Labels>, len: usize) -> LabelIndex {
        let mut keys: HashMap<String, KeyIndex> = HashMap::new();
        for (i, labels) in maps.into_iter().enumerate() {
            for (k, v) in labels {
                let entry = keys.entry(k.clone()).or_default();
                entry.has.get_or_insert_with(|| Bits::empty(len)).insert(i);
                entry
                    .values
                    .entry(v.clone())
                    .or_insert_with(|| Bits::empty(len))
                    .insert(i);
            }
        }
        LabelIndex { len, keys }
    }

    fn empty(&self) -> Bits {
        Bits::empty(self.len)
    }

    fn full(&self) -> Bits {
        Bits::full(self.len)
    }

    /// The entities whose label `key` is exactly `value`.
    pub fn value(&self, key: &str, value: &str) -> Bits {
        self.keys
            .get(key)
            .and_then(|k| k.values.get(value))
            .cloned()
            .unwrap_or_else(|| self.empty())
    }

    /// Entities whose value of `key` passes `test`.
    fn values_where(&self, key: &str, test: impl Fn(&str) -> bool) -> Bits {
        let mut out = self.empty();
        if let Some(k) = self.keys.get(key) {
            for (v, bits) in &k.values {
                if test(v) {
                    out = out.or(bits);
                }
            }
        }
        out
    }

    /// The entities a selector matches, exactly as `Expr::matches` on each. With `namespaced` given,
    /// the selector is a namespaceSelector: `all()` matches namespaced entities and `global()` the rest.
    pub fn eval(&self, expr: &Expr, namespaced: Option<&Bits>) -> Bits {
        match expr {
            Expr::All => namespaced.cloned().unwrap_or_else(|| self.full()),
            Expr::Global => namespaced.map_or_else(|| self.full(), |n| self.full().minus(n)),
            Expr::Has(key) => self
                .keys
                .get(key)
                .and_then(|k| k.has.clone())
                .unwrap_or_else(|| self.empty()),
            Expr::Match { key, op, value } => match op {
                MatchOp::Eq => self.value(key, value),
                MatchOp::Ne => self.full().minus(&self.value(key, value)),
                MatchOp::Contains => self.values_where(key, |v| v.contains(value.as_str())),
                MatchOp::StartsWith => self.values_where(key, |v| v.starts_with(value.as_str())),
                MatchOp::EndsWith => self.values_where(key, |v| v.ends_with(value.as_str())),
            },
            Expr::In { key, values } => values
                .iter()
                .fold(self.empty(), |acc, v| acc.or(&self.value(key, v))),
            Expr::NotIn { key, values } => self.full().minus(
                &values
                    .iter()
                    .fold(self.empty(), |acc, v| acc.or(&self.value(key, v))),
            ),
            Expr::Not(inner) => self.full().minus(&self.eval(inner, namespaced)),
            Expr::And(operands) => operands
                .iter()
                .fold(self.full(), |acc, e| acc.and(&self.eval(e, namespaced))),
            Expr::Or(operands) => operands
                .iter()
                .fold(self.empty(), |acc, e| acc.or(&self.eval(e, namespaced))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::Selector;

    #[test]
    fn index_evaluation_agrees_with_the_matcher() {
        let maps: Vec<Labels> = [
            vec![("app", "web"), ("env", "prod")],
            vec![("app", "api")],
            vec![("env", "")],
            vec![],
        ]
        .iter()
        .map(|pairs| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        })
        .collect();
        let index = LabelIndex::new(&maps, maps.len());
        for text in [
            "app == 'web'",
            "app != 'web'",
            "has(env)",
            "!has(env) || app in {'api', 'x'}",
            "app not in {'web'}",
            "app contains 'p'",
            "app starts with 'w' && env ends with 'od'",
            "all()",
            "!(app == 'api' || env == '')",
        ] {
            let s = Selector::parse(text).unwrap();
            let bits = index.eval(s.expr(), None);
            for (i, m) in maps.iter().enumerate() {
                assert_eq!(bits.contains(i), s.matches(m), "{text} on entity {i}");
            }
        }
    }
}
