//! Tokens to [`Expr`]: a recursive-descent parser with Calico's grammar, precedence and tree shape
//! (`libcalico-go/lib/selector/parser/parser.go`).
//!
//! ```text
//! selector := ε | or
//! or       := and ( "||" and )*
//! and      := op  ( "&&" op )*
//! op       := "!"* ( has(k) | all() | global() | "(" or ")"
//!                  | k ("=="|"!="|"contains"|"starts with"|"ends with") string
//!                  | k ("in"|"not in") "{" [ string ("," string)* [","] ] "}" )
//! ```

use super::SelectorError;
use super::ast::{Expr, MatchOp, normalise_set};
use super::lexer::{TokKind, Token, tokenize};

/// Selectors longer than this many bytes are refused before lexing. Calico's CRDs cap selector
/// fields at 1024 characters ([`super::FIELD_MAX_LEN`]); this bound only protects the parser.
pub const MAX_SELECTOR_LEN: usize = 64 * 1024;

/// Parentheses nested deeper than this are refused, so that no input can exhaust the stack.
pub const MAX_DEPTH: usize = 100;

const TERM_EXPECTED: &str =
    "expected a selector term (a label, `has(…)`, `all()`, `global()`, `!` or `(`)";

/// Parses selector text. An empty or blank selector is `all()`.
pub(crate) fn parse(input: &str) -> Result<Expr, SelectorError> {
    if input.len() > MAX_SELECTOR_LEN {
        return Err(SelectorError::new(
            MAX_SELECTOR_LEN..input.len(),
            format!(
                "selector is {} bytes long; the limit is {MAX_SELECTOR_LEN}",
                input.len()
            ),
        ));
    }
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        input,
        tokens: &tokens,
        pos: 0,
    };
    if parser.peek().kind == TokKind::Eof {
        return Ok(Expr::All);
    }
    let expr = parser.or(0)?;
    let next = parser.peek();
    if next.kind != TokKind::Eof {
        let what = if next.kind == TokKind::RParen {
            "unmatched `)`".to_string()
        } else {
            format!(
                "expected `&&`, `||` or end of input, found {}",
                parser.describe(next)
            )
        };
        return Err(SelectorError::new(next.span.clone(), what));
    }
    Ok(expr)
}

struct Parser<'t, 'a> {
    input: &'a str,
    tokens: &'t [Token<'a>],
    pos: usize,
}

impl<'t, 'a> Parser<'t, 'a> {
    /// The current token. The token list always ends with `Eof`, and the parser never moves past it.
    fn peek(&self) -> &'t Token<'a> {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.pos.min(last)]
    }

    fn bump(&mut self) -> &'t Token<'a> {
        let token = self.peek();
        if token.kind != TokKind::Eof {
            self.pos += 1;
        }
        token
    }

    fn describe(&self, token: &Token<'a>) -> String {
        let text = self.input.get(token.span.clone()).unwrap_or("");
        match token.kind {
            TokKind::Eof => "end of input".to_string(),
            TokKind::Label(_) => format!("label `{text}`"),
            TokKind::Str(_) => format!("string {text}"),
            _ => format!("`{text}`"),
        }
    }

    fn error_at(&self, token: &Token<'a>, expected: &str) -> SelectorError {
        SelectorError::new(
            token.span.clone(),
            format!("{expected}, found {}", self.describe(token)),
        )
    }

    fn or(&mut self, depth: usize) -> Result<Expr, SelectorError> {
        let mut operands = vec![self.and(depth)?];
        while self.peek().kind == TokKind::Or {
            self.bump();
            operands.push(self.and(depth)?);
        }
        Ok(one_or(operands, Expr::Or))
    }

    fn and(&mut self, depth: usize) -> Result<Expr, SelectorError> {
        let mut operands = vec![self.operation(depth)?];
        while self.peek().kind == TokKind::And {
            self.bump();
            operands.push(self.operation(depth)?);
        }
        Ok(one_or(operands, Expr::And))
    }

    fn operation(&mut self, depth: usize) -> Result<Expr, SelectorError> {
        // A run of `!` collapses to one negation or none, by parity (Calico does the same).
        let mut negated = false;
        while self.peek().kind == TokKind::Not {
            self.bump();
            negated = !negated;
        }
        let token = self.bump();
        let expr = match token.kind {
            TokKind::Has(key) => Expr::Has(key.to_string()),
            TokKind::All => Expr::All,
            TokKind::Global => Expr::Global,
            TokKind::LParen => {
                if depth >= MAX_DEPTH {
                    return Err(SelectorError::new(
                        token.span.clone(),
                        format!("parentheses are nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                let inner = self.or(depth + 1)?;
                let close = self.peek();
                if close.kind != TokKind::RParen {
                    return Err(self.error_at(close, "expected `)` or an operator (`&&`, `||`)"));
                }
                self.bump();
                inner
            }
            TokKind::Label(key) => self.label_operation(key)?,
            _ => return Err(self.error_at(token, TERM_EXPECTED)),
        };
        Ok(if negated {
            Expr::Not(Box::new(expr))
        } else {
            expr
        })
    }

    /// After a label: an operator and its string or set literal.
    fn label_operation(&mut self, key: &'a str) -> Result<Expr, SelectorError> {
        let op_token = self.bump();
        let op = match op_token.kind {
            TokKind::Eq => MatchOp::Eq,
            TokKind::Ne => MatchOp::Ne,
            TokKind::Contains => MatchOp::Contains,
            TokKind::StartsWith => MatchOp::StartsWith,
            TokKind::EndsWith => MatchOp::EndsWith,
            TokKind::In | TokKind::NotIn => {
                let values = self.set_literal(op_token)?;
                let key = key.to_string();
                return Ok(if op_token.kind == TokKind::In {
                    Expr::In { key, values }
                } else {
                    Expr::NotIn { key, values }
                });
            }
            _ => {
                return Err(self.error_at(
                    op_token,
                    &format!(
                        "expected an operator (`==`, `!=`, `in`, `not in`, `contains`, `starts with`, \
                         `ends with`) after label `{key}`"
                    ),
                ));
            }
        };
        let value_token = self.bump();
        match value_token.kind {
            TokKind::Str(value) => Ok(Expr::Match {
                key: key.to_string(),
                op,
                value: value.to_string(),
            }),
            _ => Err(self.error_at(
                value_token,
                &format!(
                    "expected a quoted string after `{}` (values are always quoted)",
                    op.as_str()
                ),
            )),
        }
    }

    /// `{ "a", 'b', }`: strings separated by commas, one trailing comma allowed, possibly empty.
    fn set_literal(&mut self, op_token: &Token<'a>) -> Result<Vec<String>, SelectorError> {
        let open = self.bump();
        if open.kind != TokKind::LBrace {
            let op = self.input.get(op_token.span.clone()).unwrap_or("in");
            return Err(self.error_at(
                open,
                &format!("expected a set literal `{{…}}` after `{op}`"),
            ));
        }
        let mut values = Vec::new();
        let mut after_comma = false;
        while let TokKind::Str(value) = self.peek().kind {
            self.bump();
            values.push(value.to_string());
            after_comma = self.peek().kind == TokKind::Comma;
            if after_comma {
                self.bump();
            } else {
                break;
            }
        }
        let close = self.peek();
        if close.kind != TokKind::RBrace {
            let expected = if values.is_empty() || after_comma {
                "expected a quoted string or `}` in the set literal"
            } else {
                "expected `,` or `}` in the set literal"
            };
            return Err(self.error_at(close, expected));
        }
        self.bump();
        normalise_set(&mut values);
        Ok(values)
    }
}

/// One operand stands for itself; several make an n-ary node.
fn one_or(mut operands: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if operands.len() == 1 {
        operands.pop().unwrap_or(Expr::All)
    } else {
        make(operands)
    }
}
