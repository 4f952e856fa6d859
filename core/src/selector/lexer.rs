//! Text to tokens, with the rules of Calico's tokenizer (`libcalico-go/lib/selector/tokenizer`):
//! whitespace is only space and tab; word operators are recognised only right after a label;
//! `has(`, `all(` and `global(` are recognised only with no space before `(`.

use std::ops::Range;

use super::SelectorError;

/// Calico's `MaxLabelLength`.
pub const MAX_LABEL_KEY_LEN: usize = 512;

/// What a token is. Labels and string literals borrow from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind<'a> {
    Label(&'a str),
    Str(&'a str),
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    In,
    NotIn,
    Not,
    Contains,
    StartsWith,
    EndsWith,
    All,
    Global,
    Has(&'a str),
    LParen,
    RParen,
    And,
    Or,
    Eof,
}

/// A token and the bytes of the input it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: TokKind<'a>,
    pub span: Range<usize>,
}

/// Whether `c` may appear in a label key.
pub(crate) fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-')
}

/// Whether `key` is a valid label key in a selector.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_LABEL_KEY_LEN && key.bytes().all(is_key_byte)
}

/// Splits a selector into tokens, ending with `Eof`. The first lexical error ends lexing.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token<'_>>, SelectorError> {
    let mut lexer = Lexer { input, pos: 0 };
    let mut tokens: Vec<Token<'_>> = Vec::with_capacity(input.len() / 4 + 2);
    loop {
        lexer.skip_blanks();
        let after_label = matches!(
            tokens.last(),
            Some(Token {
                kind: TokKind::Label(_),
                ..
            })
        );
        let token = lexer.next_token(after_label)?;
        let done = token.kind == TokKind::Eof;
        tokens.push(token);
        if done {
            return Ok(tokens);
        }
    }
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn skip_blanks(&mut self) {
        while let Some(b' ' | b'\t') = self.input.as_bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    fn token(&mut self, kind: TokKind<'a>, len: usize) -> Token<'a> {
        let start = self.pos;
        self.pos += len;
        Token {
            kind,
            span: start..self.pos,
        }
    }

    fn next_token(&mut self, after_label: bool) -> Result<Token<'a>, SelectorError> {
        let rest = self.rest();
        let Some(&first) = rest.as_bytes().first() else {
            return Ok(self.token(TokKind::Eof, 0));
        };
        let two = rest.as_bytes().get(1).copied();
        match first {
            b'(' => Ok(self.token(TokKind::LParen, 1)),
            b')' => Ok(self.token(TokKind::RParen, 1)),
            b'{' => Ok(self.token(TokKind::LBrace, 1)),
            b'}' => Ok(self.token(TokKind::RBrace, 1)),
            b',' => Ok(self.token(TokKind::Comma, 1)),
            b'"' | b'\'' => self.string(first),
            b'=' if two == Some(b'=') => Ok(self.token(TokKind::Eq, 2)),
            b'!' if two == Some(b'=') => Ok(self.token(TokKind::Ne, 2)),
            b'!' => Ok(self.token(TokKind::Not, 1)),
            b'&' if two == Some(b'&') => Ok(self.token(TokKind::And, 2)),
            b'|' if two == Some(b'|') => Ok(self.token(TokKind::Or, 2)),
            b'=' | b'&' | b'|' => {
                let op = (first as char).to_string().repeat(2);
                Err(self.error(
                    self.pos..self.pos + 1,
                    format!("expected `{op}`, found `{}`", first as char),
                ))
            }
            _ if after_label => self.word_operator(),
            _ => self.term_start(),
        }
    }

    fn error(&self, span: Range<usize>, message: String) -> SelectorError {
        SelectorError::new(span, message)
    }

    /// A string literal: up to the next quote of the same kind; no escapes.
    fn string(&mut self, quote: u8) -> Result<Token<'a>, SelectorError> {
        let start = self.pos;
        let body = &self.input[start + 1..];
        match body.bytes().position(|b| b == quote) {
            Some(len) => {
                let value = &body[..len];
                self.pos = start + 1 + len + 1;
                Ok(Token {
                    kind: TokKind::Str(value),
                    span: start..self.pos,
                })
            }
            None => Err(self.error(
                start..self.input.len(),
                format!(
                    "unterminated string literal: no closing `{}`",
                    quote as char
                ),
            )),
        }
    }

    /// After a label only an operator may follow: `contains`, `starts with`, `ends with`, `not in`, `in`
    /// (the symbolic ones were handled already). Each must end at a word boundary.
    fn word_operator(&mut self) -> Result<Token<'a>, SelectorError> {
        let start = self.pos;
        let candidates: [(&[&str], TokKind<'a>); 5] = [
            (&["contains"], TokKind::Contains),
            (&["starts", "with"], TokKind::StartsWith),
            (&["ends", "with"], TokKind::EndsWith),
            (&["not", "in"], TokKind::NotIn),
            (&["in"], TokKind::In),
        ];
        for (words, kind) in candidates {
            if let Some(len) = self.cut_words(words) {
                self.pos = start + len;
                return Ok(Token {
                    kind,
                    span: start..self.pos,
                });
            }
        }
        let found = self.describe_here();
        Err(self.error(
            start..start + found.1,
            format!(
                "expected an operator (`==`, `!=`, `in`, `not in`, `contains`, `starts with`, `ends with`) \
                 after a label, found {}",
                found.0
            ),
        ))
    }

    /// Length of `words` at the current position (blanks allowed between and consumed after the words,
    /// as Calico does), if present and followed by a word boundary.
    fn cut_words(&self, words: &[&str]) -> Option<usize> {
        let rest = self.rest();
        let mut at = 0;
        let mut end_of_word = 0;
        for word in words {
            if !rest[at..].starts_with(word) {
                return None;
            }
            at += word.len();
            end_of_word = at;
            // Calico trims blanks after every word of a multi-word operator (and checks the boundary
            // after them); for single words it checks the boundary right after the word.
            if words.len() > 1 {
                at += rest[at..]
                    .bytes()
                    .take_while(|b| matches!(b, b' ' | b'\t'))
                    .count();
            }
        }
        let boundary = rest.as_bytes().get(at).is_none_or(|&b| !is_key_byte(b));
        boundary.then_some(end_of_word)
    }

    /// Where a term may start: `has(key)`, `all()`, `global()`, or a label.
    fn term_start(&mut self) -> Result<Token<'a>, SelectorError> {
        let start = self.pos;
        let rest = self.rest();
        if rest.starts_with("has(") {
            self.pos += 4;
            self.skip_blanks();
            let key = self.identifier("a label name after `has(`")?;
            self.skip_blanks();
            if self.rest().starts_with(')') {
                self.pos += 1;
                return Ok(Token {
                    kind: TokKind::Has(key),
                    span: start..self.pos,
                });
            }
            let found = self.describe_here();
            return Err(self.error(
                self.pos..self.pos + found.1,
                format!("expected `)` to close `has({key}`, found {}", found.0),
            ));
        }
        for (name, kind) in [("all(", TokKind::All), ("global(", TokKind::Global)] {
            if rest.starts_with(name) {
                self.pos += name.len();
                self.skip_blanks();
                if self.rest().starts_with(')') {
                    self.pos += 1;
                    return Ok(Token {
                        kind,
                        span: start..self.pos,
                    });
                }
                let found = self.describe_here();
                return Err(self.error(
                    self.pos..self.pos + found.1,
                    format!("expected `)` after `{name}`, found {}", found.0),
                ));
            }
        }
        let key = self.identifier("a selector term")?;
        Ok(Token {
            kind: TokKind::Label(key),
            span: start..self.pos,
        })
    }

    /// A label key at the current position.
    fn identifier(&mut self, what: &str) -> Result<&'a str, SelectorError> {
        let start = self.pos;
        let rest = self.rest();
        let len = rest.bytes().take_while(|&b| is_key_byte(b)).count();
        if len == 0 {
            let found = self.describe_here();
            return Err(self.error(
                start..start + found.1,
                format!("expected {what}, found {}", found.0),
            ));
        }
        if len > MAX_LABEL_KEY_LEN {
            return Err(self.error(
                start..start + len,
                format!("label key is {len} bytes long; the limit is {MAX_LABEL_KEY_LEN}"),
            ));
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    /// Describes the text at the current position for an error message, and its length in bytes.
    fn describe_here(&self) -> (String, usize) {
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return ("end of input".to_string(), 0);
        };
        match c {
            '\n' | '\r' => (
                "a line break (selectors may contain only spaces and tabs as whitespace)"
                    .to_string(),
                1,
            ),
            c if c.is_whitespace() => (
                format!(
                    "the whitespace character U+{:04X} (only spaces and tabs are allowed)",
                    c as u32
                ),
                c.len_utf8(),
            ),
            c if c.is_ascii() && is_key_byte(c as u8) => {
                let len = rest.bytes().take_while(|&b| is_key_byte(b)).count();
                (format!("`{}`", &rest[..len]), len)
            }
            c => (format!("`{c}`"), c.len_utf8()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokKind<'_>> {
        tokenize(input)
            .map(|t| t.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[test]
    fn word_operators_only_after_labels() {
        use TokKind::*;
        assert_eq!(
            kinds(r#"a notin"bar"&&!has(foo)||b in"c""#),
            vec![
                Label("a"),
                NotIn,
                Str("bar"),
                And,
                Not,
                Has("foo"),
                Or,
                Label("b"),
                In,
                Str("c"),
                Eof
            ]
        );
        assert_eq!(
            kinds("contains contains 'contains'"),
            vec![Label("contains"), Contains, Str("contains"), Eof]
        );
        assert_eq!(kinds("a starts  with 'x'")[1], StartsWith);
        assert!(tokenize("label inf 'x'").is_err());
        assert!(tokenize("label ends withs 'x'").is_err());
    }

    #[test]
    fn spans_are_byte_offsets() {
        let tokens = tokenize("ab == 'c'").unwrap_or_default();
        let spans: Vec<_> = tokens.iter().map(|t| t.span.clone()).collect();
        assert_eq!(spans, vec![0..2, 3..5, 6..9, 9..9]);
    }
}
