//! Pebble's lexer: a template becomes text and tokens of `{{ }}` and `{% %}` blocks.
//!
//! It follows Pebble's `LexerImpl`: operators are matched before names (longest first, a word
//! operator only when no letter, digit or `_` follows), numbers are longs unless they have a
//! fraction, single-quoted strings are plain, double-quoted ones may hold `#{…}`
//! interpolations, and only the string's own quote can be escaped. `{# #}` comments vanish,
//! `{% raw %}…{% endraw %}` (and `verbatim`) is text, and `{{-`/`-}}` trim whitespace.

use super::{TemplateError, TemplateErrorKind, terr};

/// Operators, longest first so that `is not` wins over `is` and `???` over `??`.
const OPERATORS: [&str; 23] = [
    "is not", "contains", "equals", "???", "and", "not", "??", "or", "is", "==", "!=", ">=", "<=", "..", ">", "<", "+",
    "-", "*", "/", "%", "|", "~",
];

/// One token of an expression, or the boundaries of a block.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// Literal text between blocks.
    Text(String),
    /// `{{`.
    PrintOpen,
    /// `{%`.
    ExecOpen,
    /// `}}` or `%}`.
    Close,
    /// An identifier.
    Name(String),
    /// A whole number.
    Long(i64),
    /// A number with a fraction.
    Double(f64),
    /// A string literal without interpolation.
    Str(String),
    /// The start of a double-quoted string with `#{…}` parts.
    StrOpen,
    /// `#{` inside a string.
    InterpOpen,
    /// The `}` that closes an interpolation.
    InterpClose,
    /// The end of an interpolated string.
    StrClose,
    /// An operator of [`OPERATORS`].
    Op(&'static str),
    /// One of `()[]{}?:.,=`.
    Punct(char),
}

/// A token with the 1-based line it starts on.
pub(super) type Spanned = (Tok, usize);

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Spanned>,
    trim_next: bool,
}

fn syntax(message: String, line: usize) -> TemplateError {
    terr(TemplateErrorKind::Syntax, message, Some(line), None)
}

/// Splits `src` into tokens.
pub(super) fn lex(src: &str) -> Result<Vec<Spanned>, TemplateError> {
    let mut lx = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
        trim_next: false,
    };
    lx.run()?;
    Ok(lx.out)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn line(&self) -> usize {
        self.src[..self.pos].matches('\n').count() + 1
    }

    fn text(&mut self, mut text: &str, trim_end: bool) {
        if std::mem::take(&mut self.trim_next) {
            text = text.trim_start();
        }
        if trim_end {
            text = text.trim_end();
        }
        if !text.is_empty() {
            let line = self.line();
            self.out.push((Tok::Text(text.to_string()), line));
        }
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        while let Some(at) = self.rest().find('{') {
            let rest = self.rest();
            let kind = rest.as_bytes()[at..].get(1).copied();
            if !matches!(kind, Some(b'{' | b'%' | b'#')) {
                self.text_upto(at + 1, false);
                continue;
            }
            let trim = rest[at + 2..].starts_with('-');
            self.text_upto(at, trim);
            self.pos += 2 + usize::from(trim);
            match kind {
                Some(b'#') => self.comment()?,
                Some(b'{') => self.block(Tok::PrintOpen, "}}")?,
                _ if self.raw_tag().is_some() => self.raw()?,
                _ => self.block(Tok::ExecOpen, "%}")?,
            }
        }
        let rest = self.rest();
        self.text(rest, false);
        self.pos = self.src.len();
        Ok(())
    }

    /// Emits the text up to `len` bytes ahead, merging with a previous text token.
    fn text_upto(&mut self, len: usize, trim_end: bool) {
        let text = &self.src[self.pos..self.pos + len];
        self.pos += len;
        if let (Some((Tok::Text(prev), _)), false) = (self.out.last_mut(), trim_end || self.trim_next) {
            prev.push_str(text);
            return;
        }
        self.text(text, trim_end);
    }

    fn comment(&mut self) -> Result<(), TemplateError> {
        let line = self.line();
        let end = self
            .rest()
            .find("#}")
            .ok_or_else(|| syntax("unclosed comment: close `{#` with `#}`".into(), line))?;
        self.trim_next = self.rest()[..end].ends_with('-');
        self.pos += end + 2;
        Ok(())
    }

    /// `raw` or `verbatim` when the `{%` just read opens such a tag, with the tag's length.
    fn raw_tag(&self) -> Option<usize> {
        let r = self.rest();
        let body = r.trim_start();
        let name = ["raw", "verbatim"].into_iter().find(|n| body.starts_with(n))?;
        let after = body[name.len()..].trim_start();
        let after = after.strip_prefix('-').unwrap_or(after);
        after.starts_with("%}").then(|| r.len() - after.len() + 2)
    }

    fn raw(&mut self) -> Result<(), TemplateError> {
        let line = self.line();
        let open_len = self.raw_tag().unwrap_or(0);
        // `{% raw -%}` trims the start of the body, `{%- endraw %}` its end, and
        // `{% endraw -%}` the text after the tag.
        let trim_start = self.rest()[..open_len].trim_end_matches("%}").trim_end().ends_with('-');
        self.pos += open_len;
        let rest = self.rest();
        let mut search = 0;
        while let Some(at) = rest[search..].find("{%").map(|a| a + search) {
            let inner = rest[at + 2..].trim_start_matches('-').trim_start();
            if let Some(inner) = inner
                .strip_prefix("endraw")
                .or_else(|| inner.strip_prefix("endverbatim"))
            {
                let inner = inner.trim_start();
                let trim_after = inner.starts_with('-');
                let inner = inner.strip_prefix('-').unwrap_or(inner);
                if let Some(after) = inner.strip_prefix("%}") {
                    let mut body = &rest[..at];
                    if trim_start {
                        body = body.trim_start();
                    }
                    if rest[at + 2..].starts_with('-') {
                        body = body.trim_end();
                    }
                    if !body.is_empty() {
                        self.out.push((Tok::Text(body.to_string()), line));
                    }
                    self.pos += rest.len() - after.len();
                    self.trim_next = trim_after;
                    return Ok(());
                }
            }
            search = at + 2;
        }
        Err(syntax("unclosed `{% raw %}`: end it with `{% endraw %}`".into(), line))
    }

    fn block(&mut self, open: Tok, close: &str) -> Result<(), TemplateError> {
        let line = self.line();
        self.out.push((open, line));
        let mut depth: Vec<char> = Vec::new();
        loop {
            self.pos += self.rest().len() - self.rest().trim_start().len();
            let rest = self.rest();
            let line = self.line();
            if rest.is_empty() {
                return Err(syntax(format!("unclosed block: close it with `{close}`"), line));
            }
            if depth.is_empty() {
                let trimmed = rest.strip_prefix('-').unwrap_or(rest);
                if trimmed.starts_with(close) {
                    self.trim_next = rest.starts_with('-');
                    self.pos += rest.len() - trimmed.len() + 2;
                    self.out.push((Tok::Close, line));
                    return Ok(());
                }
            }
            self.token(&mut depth, close)?;
        }
    }

    fn token(&mut self, depth: &mut Vec<char>, close: &str) -> Result<(), TemplateError> {
        let rest = self.rest();
        let line = self.line();
        let word = |c: char| c.is_alphanumeric() || c == '_';
        if let Some(op) = OPERATORS.iter().find(|op| {
            rest.starts_with(**op)
                && !(op.ends_with(|c: char| c.is_alphabetic()) && rest[op.len()..].starts_with(word))
                && !(**op == "-" && depth.is_empty() && rest[1..].starts_with(close))
        }) {
            self.pos += op.len();
            self.out.push((Tok::Op(op), line));
            return Ok(());
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_alphabetic() || c == '_' {
            let len = rest.find(|c: char| !word(c)).unwrap_or(rest.len());
            self.pos += len;
            self.out.push((Tok::Name(rest[..len].to_string()), line));
            return Ok(());
        }
        if c.is_ascii_digit() {
            return self.number(line);
        }
        if "()[]{}?:.,=".contains(c) {
            match c {
                '(' | '[' | '{' => depth.push(c),
                ')' | ']' | '}' => {
                    let want = match depth.pop() {
                        Some('(') => ')',
                        Some('[') => ']',
                        Some('{') => '}',
                        _ if c == '}' => {
                            let mut e = syntax("unexpected `}`".into(), line);
                            e.help = Some("close every `{{` with `}}` and every `{%` with `%}`".into());
                            return Err(e);
                        }
                        _ => return Err(syntax(format!("unexpected `{c}`"), line)),
                    };
                    if want != c {
                        return Err(syntax(
                            format!("unclosed bracket: expected `{want}`, found `{c}`"),
                            line,
                        ));
                    }
                }
                _ => {}
            }
            self.pos += 1;
            self.out.push((Tok::Punct(c), line));
            return Ok(());
        }
        if c == '\'' || c == '"' {
            return self.string(c, line);
        }
        Err(syntax(format!("unexpected character `{c}`"), line))
    }

    fn number(&mut self, line: usize) -> Result<(), TemplateError> {
        let rest = self.rest();
        let int = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let frac = rest[int..]
            .strip_prefix('.')
            .filter(|f| f.starts_with(|c: char| c.is_ascii_digit()))
            .map(|f| 1 + f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len()));
        let too_big = || syntax(format!("number `{}` is too large", &rest[..int]), line);
        let tok = match frac {
            Some(f) => Tok::Double(rest[..int + f].parse().map_err(|_| too_big())?),
            None => Tok::Long(rest[..int].parse().map_err(|_| too_big())?),
        };
        let len = int + frac.unwrap_or(usize::from(rest[int..].starts_with('L')));
        self.pos += len;
        self.out.push((tok, line));
        Ok(())
    }

    fn string(&mut self, quote: char, line: usize) -> Result<(), TemplateError> {
        self.pos += 1;
        let mut lit = String::new();
        let mut interpolated = false;
        loop {
            let rest = self.rest();
            let mut chars = rest.chars();
            match chars.next() {
                None => return Err(syntax(format!("unclosed string: end it with {quote}"), line)),
                // Only the string's own quote is unescaped; `\x` stays as written.
                Some('\\') if chars.next().is_some() => {
                    let next = rest[1..].chars().next().unwrap_or(quote);
                    if next != quote {
                        lit.push('\\');
                    }
                    lit.push(next);
                    self.pos += 1 + next.len_utf8();
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    if !interpolated {
                        self.out.push((Tok::Str(lit), line));
                        return Ok(());
                    }
                    if !lit.is_empty() {
                        self.out.push((Tok::Str(lit), line));
                    }
                    self.out.push((Tok::StrClose, line));
                    return Ok(());
                }
                Some('#') if quote == '"' && rest[1..].starts_with('{') => {
                    if !interpolated {
                        self.out.push((Tok::StrOpen, line));
                        interpolated = true;
                    }
                    if !lit.is_empty() {
                        self.out.push((Tok::Str(std::mem::take(&mut lit)), line));
                    }
                    self.pos += 2;
                    self.out.push((Tok::InterpOpen, line));
                    self.interpolation()?;
                }
                Some(c) => {
                    lit.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn interpolation(&mut self) -> Result<(), TemplateError> {
        let mut depth = Vec::new();
        loop {
            self.pos += self.rest().len() - self.rest().trim_start().len();
            let line = self.line();
            if self.rest().is_empty() {
                return Err(syntax("unclosed `#{` in a string: close it with `}`".into(), line));
            }
            if depth.is_empty() && self.rest().starts_with('}') {
                self.pos += 1;
                self.out.push((Tok::InterpClose, line));
                return Ok(());
            }
            self.token(&mut depth, "}")?;
        }
    }
}
