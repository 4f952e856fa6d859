//! Problems found in an input file, with the place they are about.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The resource (or the whole file) could not be read.
    Error,
    /// Read, but something deserves attention (an unknown field, a tolerated oddity).
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters; 0 when unknown.
    pub column: usize,
    pub message: String,
    /// The text of the offending line (without its newline), empty when there is none.
    pub line_text: String,
}

impl Diagnostic {
    /// A diagnostic at `line`:`column` of `text` (the whole file), quoting the line.
    pub fn at(
        severity: Severity,
        file: &str,
        text: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let line_text = if line == 0 {
            ""
        } else {
            // YAML breaks lines at LF, CRLF and a lone CR: count them the way the parser does.
            yaml_lines(text).nth(line - 1).unwrap_or("")
        };
        Diagnostic {
            severity,
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
            line_text: line_text.trim_end_matches('\r').to_owned(),
        }
    }

    /// A diagnostic about a whole file (unreadable, too large, binary).
    pub fn file_level(severity: Severity, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
            line_text: String::new(),
        }
    }

    /// Is it an error?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The CLI form: `FILE:LINE:COL: error: MESSAGE`, then the offending line and a caret under the
    /// column (`../shared/spec/cli.md`). No trailing newline.
    pub fn render(&self) -> String {
        let mut out = if self.line == 0 {
            format!("{}: {}: {}", self.file, self.severity, self.message)
        } else {
            format!(
                "{}:{}:{}: {}: {}",
                self.file,
                self.line,
                self.column.max(1),
                self.severity,
                self.message
            )
        };
        if self.line > 0 && !self.line_text.is_empty() {
            out.push('\n');
            out.push_str(&self.line_text);
            out.push('\n');
            // Tabs are kept so that the caret lines up in a terminal.
            let pad: String = self
                .line_text
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&pad);
            out.push('^');
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// The lines of `text` as YAML counts them: LF, CRLF and a lone CR each end a line.
fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\n', '\r']) {
            Some(i) => {
                let skip = if current[i..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[i + skip..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_line_and_a_caret_under_the_column() {
        let text = "kind: Tier\nspec:\n  order: high\n";
        let d = Diagnostic::at(
            Severity::Error,
            "t.yaml",
            text,
            3,
            10,
            "invalid type: expected a number",
        );
        assert_eq!(
            d.render(),
            "t.yaml:3:10: error: invalid type: expected a number\n  order: high\n         ^"
        );
    }

    #[test]
    fn file_level_diagnostics_have_no_position() {
        let d = Diagnostic::file_level(Severity::Error, "x.bin", "not a text file");
        assert_eq!(d.render(), "x.bin: error: not a text file");
    }

    #[test]
    fn quotes_the_line_the_parser_counted_with_lone_cr_and_crlf_breaks() {
        let text = "a: 1\rb: 2\r\nc: 3\nd: 4";
        let quoted: Vec<String> = (1..=4)
            .map(|line| Diagnostic::at(Severity::Error, "t.yaml", text, line, 1, "m").line_text)
            .collect();
        assert_eq!(quoted, ["a: 1", "b: 2", "c: 3", "d: 4"]);
    }
}
