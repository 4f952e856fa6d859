//! Kubernetes `LabelSelector` ⇄ selector, as Calico's `k8sSelectorToCalico`
//! (`libcalico-go/lib/backend/k8s/conversion/conversion.go`): matchLabels sorted by key as `k == 'v'`,
//! then matchExpressions in order (`In` → `in {…}`, `NotIn` → `not in {…}`, `Exists` → `has(k)`,
//! `DoesNotExist` → `!has(k)`), all AND-ed. No orchestrator term and no `all()` special case: those
//! belong to the callers that convert pod and namespace selectors.

use super::ast::{Expr, MatchOp, normalise_set};
use super::lexer::is_valid_key;
use super::{Selector, SelectorError};
use crate::model::{LabelSelector, LabelSelectorOperator, LabelSelectorRequirement, Labels};

pub(crate) fn from_label_selector(ls: &LabelSelector) -> Result<Selector, SelectorError> {
    let mut terms = Vec::new();
    for (key, value) in &ls.match_labels {
        check_key(key)?;
        check_value(key, value)?;
        terms.push(Expr::Match {
            key: key.clone(),
            op: MatchOp::Eq,
            value: value.clone(),
        });
    }
    for requirement in &ls.match_expressions {
        terms.push(requirement_to_expr(requirement)?);
    }
    let expr = match terms.len() {
        0 => Expr::All,
        1 => terms.pop().unwrap_or(Expr::All),
        _ => Expr::And(terms),
    };
    Ok(Selector { expr })
}

fn requirement_to_expr(req: &LabelSelectorRequirement) -> Result<Expr, SelectorError> {
    let key = &req.key;
    check_key(key)?;
    let needs_values = matches!(
        req.operator,
        LabelSelectorOperator::In | LabelSelectorOperator::NotIn
    );
    if needs_values == req.values.is_empty() {
        let message = if needs_values {
            format!(
                "matchExpressions for `{key}`: operator {:?} needs at least one value",
                req.operator
            )
        } else {
            format!(
                "matchExpressions for `{key}`: operator {:?} takes no values",
                req.operator
            )
        };
        return Err(SelectorError::new(0..0, message));
    }
    for value in &req.values {
        check_value(key, value)?;
    }
    let mut values = req.values.clone();
    normalise_set(&mut values);
    let key = key.clone();
    Ok(match req.operator {
        LabelSelectorOperator::In => Expr::In { key, values },
        LabelSelectorOperator::NotIn => Expr::NotIn { key, values },
        LabelSelectorOperator::Exists => Expr::Has(key),
        LabelSelectorOperator::DoesNotExist => Expr::Not(Box::new(Expr::Has(key))),
    })
}

fn check_key(key: &str) -> Result<(), SelectorError> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(SelectorError::new(
            0..0,
            format!(
                "label key `{key}` cannot be used in a selector (1-512 characters of A-Z a-z 0-9 _ . / -)"
            ),
        ))
    }
}

/// Calico writes these values in single quotes, so a `'` would break its selector.
fn check_value(key: &str, value: &str) -> Result<(), SelectorError> {
    if value.contains('\'') {
        Err(SelectorError::new(
            0..0,
            format!(
                "label value `{value}` of `{key}` contains `'` and cannot be used in a selector"
            ),
        ))
    } else {
        Ok(())
    }
}

/// The LabelSelector with the same meaning, when one exists: an AND of `==`, `in`, `not in`, `has`,
/// `!has` terms (and their negations that have an equivalent form), or `all()`.
pub(crate) fn to_label_selector(expr: &Expr) -> Option<LabelSelector> {
    let mut ls = LabelSelector::default();
    match expr {
        Expr::And(operands) => {
            for operand in operands {
                add_term(&mut ls, operand)?;
            }
        }
        Expr::All => {}
        term => add_term(&mut ls, term)?,
    }
    Some(ls)
}

fn add_term(ls: &mut LabelSelector, term: &Expr) -> Option<()> {
    let requirement = |key: &str, operator, values: &[String]| LabelSelectorRequirement {
        key: key.to_string(),
        operator,
        values: values.to_vec(),
    };
    let push = match term {
        Expr::All => return Some(()),
        Expr::Match {
            key,
            op: MatchOp::Eq,
            value,
        } => {
            if !ls.match_labels.contains_key(key) {
                insert_label(&mut ls.match_labels, key, value);
                return Some(());
            }
            requirement(key, LabelSelectorOperator::In, std::slice::from_ref(value))
        }
        Expr::Has(key) => requirement(key, LabelSelectorOperator::Exists, &[]),
        Expr::In { key, values } if !values.is_empty() => {
            requirement(key, LabelSelectorOperator::In, values)
        }
        Expr::NotIn { key, values } if !values.is_empty() => {
            requirement(key, LabelSelectorOperator::NotIn, values)
        }
        // `!k in {…}` is true when k is absent or not in the set: exactly `k not in {…}`.
        Expr::Not(inner) => match &**inner {
            Expr::Has(key) => requirement(key, LabelSelectorOperator::DoesNotExist, &[]),
            Expr::In { key, values } if !values.is_empty() => {
                requirement(key, LabelSelectorOperator::NotIn, values)
            }
            Expr::NotIn { key, values } if !values.is_empty() => {
                requirement(key, LabelSelectorOperator::In, values)
            }
            Expr::Match {
                key,
                op: MatchOp::Ne,
                value,
            } => requirement(key, LabelSelectorOperator::In, std::slice::from_ref(value)),
            Expr::Match {
                key,
                op: MatchOp::Eq,
                value,
            } => requirement(
                key,
                LabelSelectorOperator::NotIn,
                std::slice::from_ref(value),
            ),
            _ => return None,
        },
        Expr::Match {
            key,
            op: MatchOp::Ne,
            value,
        } => requirement(
            key,
            LabelSelectorOperator::NotIn,
            std::slice::from_ref(value),
        ),
        _ => return None,
    };
    ls.match_expressions.push(push);
    Some(())
}

fn insert_label(labels: &mut Labels, key: &str, value: &str) {
    labels.insert(key.to_string(), value.to_string());
}
