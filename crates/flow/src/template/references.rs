//! Which context variables a template reads, found without rendering it.
//!
//! minijinja reports undeclared variables by dotted path only, so a light lexer over the
//! expression parts picks out what it cannot see: bracketed ids like `inputs['my-input']`,
//! literal secret names, filter and test names (to report unknown ones), and Pebble-only
//! operators (`??`, `a ? b : c`) for error hints.

use std::collections::BTreeSet;

/// The context roots whose keys become [`Reference::Input`], `Output` and `Var`.
pub(super) const ROOTS: [&str; 3] = ["inputs", "outputs", "vars"];

/// One context variable a template reads, so flows can be validated before running.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reference {
    /// `inputs.<id>` or `inputs['<id>']`.
    Input(String),
    /// `outputs.<task id>…` or `outputs['<task id>']…`.
    Output(String),
    /// `vars.<name>`.
    Var(String),
    /// Any other top-level name, e.g. `flow`, `execution`, `workingDir`, or a bare `inputs`.
    Other(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Tok<'a> {
    Open,
    Ident(&'a str),
    Str(&'a str),
    Punct(u8),
}

/// A light lexer over the expression parts (`{{ }}`, `{% %}`) of a template.
fn tokens(src: &str) -> Vec<(usize, Tok<'_>)> {
    let b = src.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    let find = |from: usize, pat: &[u8]| {
        let from = from.min(b.len());
        b[from..].windows(pat.len()).position(|w| w == pat).map(|p| from + p)
    };
    while let Some(start) = find(i, b"{") {
        let close: &[u8] = match b.get(start + 1) {
            Some(b'{') => b"}}",
            Some(b'%') => b"%}",
            Some(b'#') => b"#}",
            _ => b"",
        };
        i = start + 1;
        if close != b"}}" && close != b"%}" {
            i = if close.is_empty() {
                i
            } else {
                find(i, close).map_or(b.len(), |p| p + 2)
            };
            continue;
        }
        out.push((start, Tok::Open));
        let first = out.len();
        i += 1;
        while i < b.len() && !b[i..].starts_with(close) {
            let (c, s) = (b[i], i);
            if c == b'\'' || c == b'"' {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push((s, Tok::Str(src.get(s + 1..i.min(b.len())).unwrap_or(""))));
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                i += b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                out.push((s, Tok::Ident(src.get(s..i).unwrap_or(""))));
                continue;
            } else if c.is_ascii_punctuation() && c != b'-' && c != b'+' {
                out.push((s, Tok::Punct(c)));
            }
            i += 1;
        }
        i += 2;
        if matches!(out.get(first..), Some([(_, Tok::Ident("raw"))])) {
            i = find(i, b"endraw")
                .and_then(|p| find(p, b"%}"))
                .map_or(b.len(), |p| p + 2);
        }
    }
    out
}

/// What the lexer found: bracket references, secret names, filter/test names, Pebble-isms.
#[derive(Default)]
pub(super) struct Scan<'a> {
    pub(super) brackets: Vec<(&'a str, &'a str)>,
    pub(super) bare: BTreeSet<&'a str>,
    pub(super) secrets: BTreeSet<&'a str>,
    pub(super) calls: Vec<(usize, &'a str, bool)>,
    pub(super) coalesce: bool,
    pub(super) ternary: bool,
}

pub(super) fn scan(src: &str) -> Scan<'_> {
    let toks = tokens(src);
    let mut s = Scan::default();
    let at = |k: usize| toks.get(k).map(|t| t.1);
    let (dot, q) = (Some(Tok::Punct(b'.')), Some(Tok::Punct(b'?')));
    for (k, &(pos, tok)) in toks.iter().enumerate() {
        let prev = k.checked_sub(1).and_then(at);
        match (tok, at(k + 1), at(k + 2), at(k + 3)) {
            (Tok::Ident(_), ..) if prev == dot => {}
            (Tok::Ident(r), Some(Tok::Punct(b'[')), Some(Tok::Str(id)), Some(Tok::Punct(b']')))
                if ROOTS.contains(&r) =>
            {
                s.brackets.push((r, id))
            }
            (Tok::Ident("secret"), Some(Tok::Punct(b'(')), Some(Tok::Str(n)), Some(Tok::Punct(b')'))) => {
                _ = s.secrets.insert(n)
            }
            (Tok::Ident(r), next, Some(Tok::Ident(_)), _) if ROOTS.contains(&r) && next == dot => {}
            (Tok::Ident(r), ..) if ROOTS.contains(&r) => _ = s.bare.insert(r),
            (Tok::Ident(name), ..) => {
                let is = |k: Option<usize>| k.and_then(at) == Some(Tok::Ident("is"));
                let test =
                    is(k.checked_sub(1)) && name != "not" || prev == Some(Tok::Ident("not")) && is(k.checked_sub(2));
                if prev == Some(Tok::Punct(b'|')) || test {
                    s.calls.push((pos, name, !test));
                }
            }
            (Tok::Punct(b'?'), next, ..) if next == q => s.coalesce = true,
            (Tok::Punct(b'?'), ..) if prev != q => s.ternary = true,
            _ => {}
        }
    }
    s
}

pub(super) fn reference(root: &str, key: Option<&str>) -> Reference {
    match (root, key) {
        ("inputs", Some(k)) => Reference::Input(k.into()),
        ("outputs", Some(k)) => Reference::Output(k.into()),
        ("vars", Some(k)) => Reference::Var(k.into()),
        (h, _) => Reference::Other(h.into()),
    }
}
