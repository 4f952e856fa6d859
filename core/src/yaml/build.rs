//! Building a [`Node`] tree from the YAML parser's event stream, within [`Limits`].
//!
//! The events come from `granit-parser` (the parser serde-saphyr is built on, re-exported by it).
//! Building iteratively, with an explicit stack, means that nesting costs heap, not call stack: the
//! depth limit is a policy, not a guard against stack overflow. Aliases are expanded here, and every
//! node an alias copies counts against the budget, so "billion laughs" documents stop early.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::Limits;
use super::node::{Node, Pos, Value};

/// Why a document could not be built.
pub(crate) struct BuildError {
    pub pos: Pos,
    pub message: String,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        first_node: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        first_node: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    /// Anchored nodes by id, with the number of nodes they hold.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_uses: usize,
    expanded: usize,
    root: Option<Node>,
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// Parses one YAML document (the text may start with `---`). `Ok(None)` for an empty document.
pub(crate) fn document(text: &str, limits: &Limits) -> Result<Option<Node>, BuildError> {
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.flow_nesting_limit = limits.max_depth + 1;
    options.block_nesting_limit = limits.max_depth + 1;
    let parser = Parser::new_from_str_with_options(text, options);
    let mut b = Builder {
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_uses: 0,
        expanded: 0,
        root: None,
    };
    let mut documents = 0usize;
    for event in parser {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            let info = e.info();
            let message = if info.contains("recursion limit") || info.contains("nesting limit") {
                format!(
                    "input refused: nesting deeper than {} levels",
                    limits.max_depth
                )
            } else {
                format!("invalid YAML: {info}")
            };
            BuildError {
                pos: Pos {
                    line: m.line(),
                    column: m.col() + 1,
                },
                message,
            }
        })?;
        let pos = pos_of(&span);
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(BuildError {
                        pos,
                        message: "invalid YAML: a second document where one was expected"
                            .to_owned(),
                    });
                }
            }
            Event::StreamEnd => break,
            Event::Scalar(value, style, anchor, tag) => {
                let node = Node {
                    pos,
                    value: scalar(&value, style, tag.as_deref()),
                };
                b.count(1, pos)?;
                b.complete(node, anchor, 1)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                b.open(pos)?;
                b.stack.push(Frame::Seq {
                    pos,
                    anchor,
                    first_node: b.nodes,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(_, anchor, _) => {
                b.open(pos)?;
                b.stack.push(Frame::Map {
                    pos,
                    anchor,
                    first_node: b.nodes,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = b.stack.pop() else { continue };
                let (node, anchor, first) = match frame {
                    Frame::Seq {
                        pos,
                        anchor,
                        first_node,
                        items,
                    } => (
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                        first_node,
                    ),
                    Frame::Map {
                        pos,
                        anchor,
                        first_node,
                        entries,
                        ..
                    } => {
                        duplicate_keys(&entries)?;
                        let node = Node {
                            pos,
                            value: Value::Map(entries),
                        };
                        (node, anchor, first_node)
                    }
                };
                let size = b.nodes - first + 1;
                b.complete(node, anchor, size)?;
            }
            Event::Alias(id) => {
                b.alias_uses += 1;
                if b.alias_uses > b.limits.max_aliases {
                    return Err(refused(
                        pos,
                        format!("more than {} aliases in one document", b.limits.max_aliases),
                    ));
                }
                let Some((node, size)) = b.anchors.get(&id).cloned() else {
                    return Err(BuildError {
                        pos,
                        message: "invalid YAML: alias to an unknown anchor".to_owned(),
                    });
                };
                b.expanded = b.expanded.saturating_add(size);
                if b.expanded > b.limits.max_alias_expansion {
                    return Err(refused(
                        pos,
                        format!(
                            "aliases expand to more than {} values (an alias bomb?)",
                            b.limits.max_alias_expansion
                        ),
                    ));
                }
                b.count(size, pos)?;
                let node = Node { pos, ..node };
                b.complete(node, 0, size)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(BuildError {
                    pos,
                    message: format!("invalid YAML: alias `*{name}` has no anchor"),
                });
            }
            _ => {}
        }
    }
    Ok(b.root)
}

/// YAML requires keys to be unique, and Kubernetes refuses duplicates: report the second one.
fn duplicate_keys(entries: &[(Node, Node)]) -> Result<(), BuildError> {
    if entries.len() < 2 {
        return Ok(());
    }
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    for (key, _) in entries {
        let text = key.key_text();
        if !seen.insert(text.clone()) {
            return Err(BuildError {
                pos: key.pos,
                message: format!("invalid YAML: duplicate key `{text}`"),
            });
        }
    }
    Ok(())
}

fn refused(pos: Pos, why: String) -> BuildError {
    BuildError {
        pos,
        message: format!("input refused: {why}"),
    }
}

impl Builder<'_> {
    fn open(&mut self, pos: Pos) -> Result<(), BuildError> {
        self.count(1, pos)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(refused(
                pos,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), BuildError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes_per_document {
            return Err(refused(
                pos,
                format!(
                    "more than {} values in one document",
                    self.limits.max_nodes_per_document
                ),
            ));
        }
        Ok(())
    }

    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), BuildError> {
        if anchor != 0 {
            if self.anchors.len() >= self.limits.max_aliases {
                return Err(refused(
                    node.pos,
                    format!(
                        "more than {} anchors in one document",
                        self.limits.max_aliases
                    ),
                ));
            }
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// The value of a scalar under the YAML 1.2 core schema: only plain scalars are typed, and a `!!str`
/// (or other core) tag forces the type.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.and_then(Tag::core_suffix);
    if core == Some("str") || (style != ScalarStyle::Plain && core.is_none()) {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" if core.is_none() || core == Some("null") => {
            return Value::Null;
        }
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(v) = integer(text) {
        return v;
    }
    if let Some(f) = float(text) {
        return Value::Float(f);
    }
    Value::String(text.to_owned())
}

fn integer(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else {
        (10, digits)
    };
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_digit(radix))
        || (radix != 10 && text.starts_with(['-', '+']))
    {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        // -(2^63) is the one negative value whose magnitude does not fit in i64.
        let i = if magnitude == 1 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|m| -m)
        };
        return i.map(Value::Int);
    }
    Some(match i64::try_from(magnitude) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::UInt(magnitude),
    })
}

fn float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(f) => all_digits(int_part) && all_digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if mantissa_ok && exponent_ok {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        scalar(text, ScalarStyle::Plain, None)
    }

    #[test]
    fn plain_scalars_follow_the_yaml_1_2_core_schema() {
        assert_eq!(value("~"), Value::Null);
        assert_eq!(value("true"), Value::Bool(true));
        assert_eq!(value("yes"), Value::String("yes".into()));
        assert_eq!(value("y"), Value::String("y".into()));
        assert_eq!(value("80"), Value::Int(80));
        assert_eq!(value("-3"), Value::Int(-3));
        assert_eq!(value("0x1F"), Value::Int(31));
        assert_eq!(value("1000.5"), Value::Float(1000.5));
        assert_eq!(value("1e3"), Value::Float(1000.0));
        assert_eq!(value("1000:2000"), Value::String("1000:2000".into()));
        assert_eq!(value("10.0.0.0/8"), Value::String("10.0.0.0/8".into()));
        assert_eq!(value("18446744073709551615"), Value::UInt(u64::MAX));
        assert_eq!(value("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(value("."), Value::String(".".into()));
        assert_eq!(
            scalar("80", ScalarStyle::DoubleQuoted, None),
            Value::String("80".into())
        );
    }
}
