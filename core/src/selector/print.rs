//! The canonical printer: Calico's `String()` form (`collectFragments` in `parser/ast.go`).
//!
//! `&&`/`||` nodes are parenthesised, operators are spaced, values are double-quoted unless they contain
//! `"` (then single-quoted), set members print sorted and de-duplicated, `!` has no space after it.
//! One deliberate difference: a negation of a negation prints as `!(!x)`, because Calico's `!!x` parses
//! back as `x` and would break parse∘print identity (the meaning is the same either way).

use std::fmt::{self, Write};

use super::ast::Expr;

/// Writes `expr` in canonical form.
pub(crate) fn write_expr(out: &mut impl Write, expr: &Expr) -> fmt::Result {
    match expr {
        Expr::All => out.write_str("all()"),
        Expr::Global => out.write_str("global()"),
        Expr::Has(key) => write!(out, "has({key})"),
        Expr::Match { key, op, value } => {
            write!(out, "{key} {} ", op.as_str())?;
            write_quoted(out, value)
        }
        Expr::In { key, values } => write_set(out, key, "in", values),
        Expr::NotIn { key, values } => write_set(out, key, "not in", values),
        Expr::Not(inner) => {
            if let Expr::Not(_) = **inner {
                out.write_str("!(")?;
                write_expr(out, inner)?;
                out.write_char(')')
            } else {
                out.write_char('!')?;
                write_expr(out, inner)
            }
        }
        Expr::And(operands) => write_group(out, operands, " && "),
        Expr::Or(operands) => write_group(out, operands, " || "),
    }
}

fn write_group(out: &mut impl Write, operands: &[Expr], separator: &str) -> fmt::Result {
    out.write_char('(')?;
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            out.write_str(separator)?;
        }
        write_expr(out, operand)?;
    }
    out.write_char(')')
}

fn write_set(out: &mut impl Write, key: &str, op: &str, values: &[String]) -> fmt::Result {
    write!(out, "{key} {op} {{")?;
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write_quoted(out, value)?;
    }
    out.write_char('}')
}

/// Double quotes unless the value contains `"`. A value with both quote kinds cannot be written; the
/// constructors of `Selector` never let one in.
fn write_quoted(out: &mut impl Write, value: &str) -> fmt::Result {
    let quote = if value.contains('"') { '\'' } else { '"' };
    out.write_char(quote)?;
    out.write_str(value)?;
    out.write_char(quote)
}

/// Whether `value` can be written as a selector string literal.
pub(crate) fn is_quotable(value: &str) -> bool {
    !(value.contains('"') && value.contains('\''))
}
