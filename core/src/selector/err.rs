//! The one error type of the selector language: a byte span into the selector text and a message.

use std::fmt;
use std::ops::Range;

/// A selector that does not lex or parse, or a value that cannot be written as a selector.
///
/// `Display` is `START..END: MESSAGE`, for example
/// `14..14: expected a selector term (a label, `has(…)`, `all()`, `global()`, `!` or `(`), found end of input`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SelectorError {
    span: Range<usize>,
    message: String,
}

impl SelectorError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        SelectorError {
            span,
            message: message.into(),
        }
    }

    /// Byte offsets of the offending text in the selector (empty at the end of input).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What went wrong and what was expected, without the span.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}..{}: {}",
            self.span.start, self.span.end, self.message
        )
    }
}

impl std::error::Error for SelectorError {}
