//! The marker argument grammar of controller-gen (`pkg/markers/parse.go`), re-implemented.
//!
//! A marker is `+name`, `+name=value`, `+name:value`/`+name:=value` (anonymous markers) or
//! `+name:arg=v,arg=v` (struct markers). Values are parsed according to the type the catalogue
//! declares for the argument: strings (`"quoted"`, `` `raw` `` or a bare run of tokens), ints,
//! floats, bools, slices (`{a,b}` or `a;b`), maps (`{k: v}`) and "any" (the type is guessed).

use std::fmt;

/// The type of a marker argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// `"quoted"`, `` `raw` `` or bare tokens.
    String,
    /// A (possibly negative) integer.
    Int,
    /// A float64 (ints accepted).
    Number,
    /// `true` or `false`.
    Bool,
    /// Guessed from the text (controller-gen's AnyType).
    Any,
    /// `{a,b}` or `a;b`.
    Slice(&'static ArgType),
    /// `{key: value, ...}`.
    Map(&'static ArgType),
    /// Everything after the `=`, verbatim.
    Raw,
}

impl fmt::Display for ArgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgType::String => f.write_str("string"),
            ArgType::Int => f.write_str("int"),
            ArgType::Number => f.write_str("number"),
            ArgType::Bool => f.write_str("bool"),
            ArgType::Any => f.write_str("any value"),
            ArgType::Slice(t) => write!(f, "list of {t}"),
            ArgType::Map(t) => write!(f, "map of {t}"),
            ArgType::Raw => f.write_str("raw text"),
        }
    }
}

/// A parsed argument value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Num(f64),
    /// A bool.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A map, in source order.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The value as JSON (what controller-gen's `json.Marshal` of the Go value gives).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Num(f) => crate::schema::json_number(*f),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    out.insert(k.clone(), v.to_json());
                }
                serde_json::Value::Object(out)
            }
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The list items as strings (for `[]string` arguments).
    pub fn as_strings(&self) -> Vec<String> {
        match self {
            Value::List(l) => l
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Value::Str(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

/// A grammar error at a byte offset of the text that was parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct GrammarError {
    /// Byte offset in the parsed text.
    pub offset: usize,
    /// What went wrong.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TokKind {
    Ident,
    Int,
    Float,
    Str,
    RawStr,
    Char(char),
    Eof,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: TokKind,
    start: usize,
    end: usize,
}

/// A scanner with the behaviour of Go's `text/scanner` as controller-gen configures it.
#[derive(Clone)]
struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    raw_strings: bool,
    numbers: bool,
    errors: Vec<GrammarError>,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str, raw_strings: bool) -> Self {
        Scanner {
            src,
            pos: 0,
            raw_strings,
            numbers: true,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.errors.push(GrammarError {
            offset,
            message: message.into(),
        });
    }

    fn peek_raw(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    /// The next non-whitespace character (whitespace is consumed), `None` at the end.
    fn peek_no_space(&mut self) -> Option<char> {
        while let Some(c) = self.peek_raw() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.pos += 1;
            } else {
                return Some(c);
            }
        }
        None
    }

    fn text(&self, t: Tok) -> &'a str {
        &self.src[t.start..t.end]
    }

    fn scan(&mut self) -> Tok {
        let Some(c) = self.peek_no_space() else {
            return Tok {
                kind: TokKind::Eof,
                start: self.pos,
                end: self.pos,
            };
        };
        let start = self.pos;
        let bytes = self.src.as_bytes();
        if c.is_alphabetic() || c == '_' {
            let mut end = start;
            for ch in self.src[start..].chars() {
                if ch.is_alphanumeric() || ch == '_' {
                    end += ch.len_utf8();
                } else {
                    break;
                }
            }
            self.pos = end;
            return Tok {
                kind: TokKind::Ident,
                start,
                end,
            };
        }
        let digit_next = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        if self.numbers && (c.is_ascii_digit() || (c == '.' && digit_next(start + 1))) {
            return self.scan_number(start);
        }
        if c == '"' {
            let mut i = start + 1;
            let mut escaped = false;
            while i < bytes.len() {
                let b = bytes[i];
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    self.pos = i + 1;
                    return Tok {
                        kind: TokKind::Str,
                        start,
                        end: i + 1,
                    };
                } else if b == b'\n' {
                    break;
                }
                i += 1;
            }
            self.error(start, "literal not terminated");
            self.pos = bytes.len();
            return Tok {
                kind: TokKind::Str,
                start,
                end: bytes.len(),
            };
        }
        if c == '`' && self.raw_strings {
            if let Some(rel) = self.src[start + 1..].find('`') {
                let end = start + 1 + rel + 1;
                self.pos = end;
                return Tok {
                    kind: TokKind::RawStr,
                    start,
                    end,
                };
            }
            self.error(start, "literal not terminated");
            self.pos = bytes.len();
            return Tok {
                kind: TokKind::RawStr,
                start,
                end: bytes.len(),
            };
        }
        self.pos += c.len_utf8();
        Tok {
            kind: TokKind::Char(c),
            start,
            end: self.pos,
        }
    }

    fn scan_number(&mut self, start: usize) -> Tok {
        let bytes = self.src.as_bytes();
        let mut i = start;
        let mut float = false;
        let is = |i: usize, f: fn(&u8) -> bool| bytes.get(i).is_some_and(f);
        if bytes[i] == b'0'
            && matches!(
                bytes.get(i + 1),
                Some(b'x' | b'X' | b'b' | b'B' | b'o' | b'O')
            )
        {
            i += 2;
            while is(i, |b| b.is_ascii_hexdigit() || *b == b'_') {
                i += 1;
            }
        } else {
            while is(i, |b| b.is_ascii_digit() || *b == b'_') {
                i += 1;
            }
            if is(i, |b| *b == b'.') {
                float = true;
                i += 1;
                while is(i, |b| b.is_ascii_digit() || *b == b'_') {
                    i += 1;
                }
            }
            if is(i, |b| *b == b'e' || *b == b'E') {
                let mut j = i + 1;
                if is(j, |b| *b == b'+' || *b == b'-') {
                    j += 1;
                }
                if is(j, u8::is_ascii_digit) {
                    float = true;
                    i = j;
                    while is(i, u8::is_ascii_digit) {
                        i += 1;
                    }
                }
            }
            let text = &self.src[start..i];
            // Go: a leading 0 makes an octal literal; 8 and 9 are invalid digits.
            if !float
                && text.len() > 1
                && text.starts_with('0')
                && text.bytes().any(|b| b == b'8' || b == b'9')
            {
                self.error(start, format!("invalid digit in octal literal {text:?}"));
            }
        }
        self.pos = i;
        Tok {
            kind: if float { TokKind::Float } else { TokKind::Int },
            start,
            end: i,
        }
    }

    fn expect(&mut self, want: TokKind, desc: &str) -> Option<Tok> {
        let t = self.scan();
        if t.kind == want {
            Some(t)
        } else {
            let got = self.text(t).to_owned();
            self.error(t.start, format!("expected {desc}, got {got:?}"));
            None
        }
    }

    fn at_delim(c: Option<char>, in_map: bool) -> bool {
        match c {
            None | Some(',' | ';' | '}') => true,
            Some(':') => in_map,
            _ => false,
        }
    }

    fn parse_string(&mut self, in_map: bool) -> Option<String> {
        let old = self.numbers;
        self.numbers = false;
        let res = self.parse_string_inner(in_map);
        self.numbers = old;
        res
    }

    fn parse_string_inner(&mut self, in_map: bool) -> Option<String> {
        let hint = self.peek_no_space();
        let start = self.pos;
        if hint == Some('"') || (hint == Some('`') && self.raw_strings) {
            let t = self.scan();
            if !self.errors.is_empty() {
                return None;
            }
            let text = self.text(t);
            return match t.kind {
                TokKind::RawStr => Some(text[1..text.len() - 1].to_owned()),
                _ => match unquote_go(text) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.error(t.start, format!("unable to parse string: {e}"));
                        None
                    }
                },
            };
        }
        let mut end = start;
        while !Self::at_delim(self.peek_no_space(), in_map) {
            let t = self.scan();
            end = t.end;
        }
        Some(self.src[start..end].to_owned())
    }

    /// controller-gen's `guessType`.
    fn guess(&self, allow_slice: bool) -> ArgType {
        if allow_slice {
            let item = self.guess(false);
            let mut sub = self.clone();
            loop {
                let t = sub.scan();
                match t.kind {
                    TokKind::Char(';') => return ArgType::Slice(leak(item)),
                    TokKind::Char(',') | TokKind::Eof => return item,
                    _ => {}
                }
            }
        }
        let mut sub = self.clone();
        sub.errors.clear();
        let hint = sub.peek_no_space();
        match hint {
            Some('"' | '\'' | '`') => return ArgType::String,
            Some('{') => {
                sub.scan();
                let hint = sub.peek_no_space();
                let first = sub.guess(false);
                if first == ArgType::String {
                    let _ = sub.parse_string(true);
                    let t = sub.scan();
                    if t.kind == TokKind::Char(':') || hint == Some('}') {
                        return ArgType::Map(&ArgType::Any);
                    }
                }
                return ArgType::Slice(leak(first));
            }
            _ => {}
        }
        let mut probably_string = false;
        if matches!(hint, Some('t' | 'f')) {
            let t = sub.scan();
            if t.kind == TokKind::Ident && matches!(sub.text(t), "true" | "false") {
                return ArgType::Bool;
            }
            probably_string = true;
        }
        if !probably_string {
            let mut t = sub.scan();
            if t.kind == TokKind::Char('-') {
                t = sub.scan();
            }
            if sub.errors.is_empty() && matches!(t.kind, TokKind::Int | TokKind::Float) {
                let follow = sub.peek_no_space();
                if matches!(follow, None | Some(',' | ';' | '}')) {
                    return if t.kind == TokKind::Int {
                        ArgType::Int
                    } else {
                        ArgType::Number
                    };
                }
            }
        }
        ArgType::String
    }

    fn parse(&mut self, ty: ArgType, in_slice: bool) -> Option<Value> {
        match ty {
            ArgType::Raw => {
                let rest = self.src[self.pos..].to_owned();
                self.pos = self.src.len();
                Some(Value::Str(rest))
            }
            ArgType::Number | ArgType::Int => {
                let negative = self.peek_raw() == Some('-');
                if negative {
                    self.scan();
                }
                let t = self.scan();
                let ok = if ty == ArgType::Int {
                    t.kind == TokKind::Int
                } else {
                    matches!(t.kind, TokKind::Int | TokKind::Float)
                };
                let text = self.text(t);
                if !ok {
                    let what = if ty == ArgType::Int {
                        "integer"
                    } else {
                        "integer or float"
                    };
                    self.error(t.start, format!("expected {what}, got {text:?}"));
                    return None;
                }
                let full = if negative {
                    format!("-{text}")
                } else {
                    text.to_owned()
                };
                if ty == ArgType::Int {
                    match full.parse::<i64>() {
                        Ok(v) => Some(Value::Int(v)),
                        Err(e) => {
                            self.error(t.start, format!("unable to parse integer {full:?}: {e}"));
                            None
                        }
                    }
                } else {
                    match full.replace('_', "").parse::<f64>() {
                        Ok(v) => Some(Value::Num(v)),
                        Err(e) => {
                            self.error(t.start, format!("unable to parse number {full:?}: {e}"));
                            None
                        }
                    }
                }
            }
            ArgType::String => self.parse_string(false).map(Value::Str),
            ArgType::Bool => {
                let t = self.expect(TokKind::Ident, "true or false")?;
                match self.text(t) {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    other => {
                        let other = other.to_owned();
                        self.error(t.start, format!("expected true or false, got {other:?}"));
                        None
                    }
                }
            }
            ArgType::Any => {
                let guessed = self.guess(!in_slice);
                let v = self.parse(guessed, in_slice)?;
                Some(match v {
                    Value::Num(f) if guessed == ArgType::Int => Value::Int(f as i64),
                    v => v,
                })
            }
            ArgType::Slice(item) => self.parse_slice(*item),
            ArgType::Map(item) => self.parse_map(*item),
        }
    }

    fn parse_slice(&mut self, item: ArgType) -> Option<Value> {
        let mut out = Vec::new();
        if self.peek_no_space() == Some('{') {
            self.scan();
            loop {
                let hint = self.peek_no_space();
                if hint == Some('}') || hint.is_none() {
                    break;
                }
                out.push(self.parse(item, true)?);
                if self.peek_no_space() == Some('}') {
                    break;
                }
                self.expect(TokKind::Char(','), "comma")?;
            }
            self.expect(TokKind::Char('}'), "close curly brace")?;
            return Some(Value::List(out));
        }
        loop {
            let hint = self.peek_no_space();
            if matches!(hint, None | Some(',' | '}')) {
                break;
            }
            out.push(self.parse(item, true)?);
            let tok = self.peek_no_space();
            if matches!(tok, None | Some(',' | '}')) {
                break;
            }
            let t = self.scan();
            if t.kind != TokKind::Char(';') {
                let text = self.text(t).to_owned();
                self.error(t.start, format!("expected comma, got {text:?}"));
                return None;
            }
        }
        Some(Value::List(out))
    }

    fn parse_map(&mut self, item: ArgType) -> Option<Value> {
        let mut out: Vec<(String, Value)> = Vec::new();
        self.expect(TokKind::Char('{'), "open curly brace")?;
        loop {
            let hint = self.peek_no_space();
            if hint == Some('}') || hint.is_none() {
                break;
            }
            let key = self.parse_string(true)?;
            self.expect(TokKind::Char(':'), "colon")?;
            let v = self.parse(item, false)?;
            out.retain(|(k, _)| *k != key);
            out.push((key, v));
            if self.peek_no_space() == Some('}') {
                break;
            }
            self.expect(TokKind::Char(','), "comma")?;
        }
        self.expect(TokKind::Char('}'), "close curly brace")?;
        Some(Value::Map(out))
    }
}

fn leak(t: ArgType) -> &'static ArgType {
    // The guessed item types form a small closed set; intern them instead of leaking.
    static STRING: ArgType = ArgType::String;
    static INT: ArgType = ArgType::Int;
    static NUMBER: ArgType = ArgType::Number;
    static BOOL: ArgType = ArgType::Bool;
    static ANY: ArgType = ArgType::Any;
    static MAP_ANY: ArgType = ArgType::Map(&ArgType::Any);
    static SLICE_STRING: ArgType = ArgType::Slice(&ArgType::String);
    static SLICE_INT: ArgType = ArgType::Slice(&ArgType::Int);
    static SLICE_NUMBER: ArgType = ArgType::Slice(&ArgType::Number);
    static SLICE_BOOL: ArgType = ArgType::Slice(&ArgType::Bool);
    static SLICE_MAP: ArgType = ArgType::Slice(&ArgType::Map(&ArgType::Any));
    static SLICE_ANY: ArgType = ArgType::Slice(&ArgType::Any);
    match t {
        ArgType::String => &STRING,
        ArgType::Int => &INT,
        ArgType::Number => &NUMBER,
        ArgType::Bool => &BOOL,
        ArgType::Map(_) => &MAP_ANY,
        ArgType::Slice(ArgType::String) => &SLICE_STRING,
        ArgType::Slice(ArgType::Int) => &SLICE_INT,
        ArgType::Slice(ArgType::Number) => &SLICE_NUMBER,
        ArgType::Slice(ArgType::Bool) => &SLICE_BOOL,
        ArgType::Slice(ArgType::Map(_)) => &SLICE_MAP,
        ArgType::Slice(_) => &SLICE_ANY,
        ArgType::Any | ArgType::Raw => &ANY,
    }
}

/// Go's `strconv.Unquote` for double-quoted strings.
fn unquote_go(text: &str) -> Result<String, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(|| "invalid syntax".to_owned())?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or("invalid syntax")?;
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => return Err("invalid syntax".into()),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let v = u32::from_str_radix(&hex, 16).map_err(|_| "invalid syntax")?;
                out.push(char::from_u32(v).ok_or("invalid syntax")?);
            }
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v =
                    u32::from_str_radix(&format!("{e}{rest}"), 8).map_err(|_| "invalid syntax")?;
                out.push(char::from_u32(v).ok_or("invalid syntax")?);
            }
            _ => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

/// Parse one value of type `ty` from the whole of `text` (nothing may follow it).
pub fn parse_value(text: &str, ty: ArgType) -> Result<Value, GrammarError> {
    let attempt = |raw: bool| {
        let mut s = Scanner::new(text, raw);
        let v = s.parse(ty, false);
        if s.errors.is_empty() {
            let t = s.scan();
            if t.kind != TokKind::Eof {
                let rest = text[t.start..].to_owned();
                s.error(t.start, format!("extra arguments provided: {rest:?}"));
            }
        }
        match (v, s.errors.into_iter().next()) {
            (Some(v), None) => Ok(v),
            (_, Some(e)) => Err(e),
            (None, None) => Err(GrammarError {
                offset: 0,
                message: "invalid value".into(),
            }),
        }
    };
    match attempt(true) {
        Err(e) if e.message.contains("not terminated") => attempt(false),
        r => r,
    }
}

/// The argument list of a struct marker: `arg=v,arg=v`. `lookup` gives each argument's type
/// (or `None` for an unknown argument). Offsets in errors are relative to `text`.
pub fn parse_args(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<ArgType>,
) -> Result<Vec<(String, Value, usize)>, GrammarError> {
    let attempt = |raw: bool| {
        let mut s = Scanner::new(text, raw);
        let mut out = Vec::new();
        if s.peek_no_space().is_some() {
            while let Some(name_tok) = s.expect(TokKind::Ident, "argument name") {
                let name = s.text(name_tok).to_owned();
                if s.expect(TokKind::Char('='), "equals").is_none() {
                    break;
                }
                let Some(ty) = lookup(&name) else {
                    s.error(name_tok.start, format!("unknown argument {name:?}"));
                    break;
                };
                let Some(v) = s.parse(ty, false) else { break };
                out.push((name, v, name_tok.start));
                if !s.errors.is_empty() || s.peek_no_space().is_none() {
                    break;
                }
                if s.expect(TokKind::Char(','), "comma").is_none() {
                    break;
                }
            }
        }
        if s.errors.is_empty() {
            let t = s.scan();
            if t.kind != TokKind::Eof {
                let rest = text[t.start..].to_owned();
                s.error(t.start, format!("extra arguments provided: {rest:?}"));
            }
        }
        match s.errors.into_iter().next() {
            None => Ok(out),
            Some(e) => Err(e),
        }
    };
    match attempt(true) {
        Err(e) if e.message.contains("not terminated") => attempt(false),
        r => r,
    }
}

/// controller-gen's `splitMarker`: `+a:b:c=rest` → (`a:b`, `a:b:c`, `rest`, offset of rest).
/// `raw` starts with `+`.
pub fn split_marker(raw: &str) -> (&str, &str, &str, usize) {
    let body = &raw[1..];
    match body.split_once('=') {
        None => (body, body, "", raw.len()),
        Some((anon, rest)) => {
            let name = match anon.rfind(':') {
                Some(i) => &anon[..i],
                None => anon,
            };
            (name, anon, rest, 1 + anon.len() + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    fn any(text: &str) -> Value {
        parse_value(text, ArgType::Any).unwrap()
    }

    #[test]
    fn strings() {
        assert_eq!(
            parse_value(r#""hello, world""#, ArgType::String).unwrap(),
            s("hello, world")
        );
        assert_eq!(
            parse_value(r#""tab\tq\"""#, ArgType::String).unwrap(),
            s("tab\tq\"")
        );
        assert_eq!(parse_value("`a,b;c`", ArgType::String).unwrap(), s("a,b;c"));
        assert_eq!(
            parse_value("some bare  text", ArgType::String).unwrap(),
            s("some bare  text")
        );
        assert_eq!(
            parse_value("  spaced  ", ArgType::String).unwrap(),
            s("spaced")
        );
        assert_eq!(parse_value("", ArgType::String).unwrap(), s(""));
        // a bare string ends at a comma
        assert!(
            parse_value("a,b", ArgType::String)
                .unwrap_err()
                .message
                .contains("extra arguments")
        );
        // an unterminated backtick is a literal character (retry without raw strings)
        assert_eq!(
            parse_value("^[a-z`]+$", ArgType::String).unwrap(),
            s("^[a-z`]+$")
        );
        assert_eq!(
            parse_value(r"^(\+|-)?[0-9]+$", ArgType::String).unwrap(),
            s(r"^(\+|-)?[0-9]+$")
        );
    }

    #[test]
    fn ints_and_numbers() {
        assert_eq!(parse_value("42", ArgType::Int).unwrap(), Value::Int(42));
        assert_eq!(parse_value("-42", ArgType::Int).unwrap(), Value::Int(-42));
        assert_eq!(
            parse_value("1.5", ArgType::Number).unwrap(),
            Value::Num(1.5)
        );
        assert_eq!(
            parse_value("-0.5", ArgType::Number).unwrap(),
            Value::Num(-0.5)
        );
        assert_eq!(parse_value("2", ArgType::Number).unwrap(), Value::Num(2.0));
        let e = parse_value("1.5", ArgType::Int).unwrap_err();
        assert_eq!(e.message, r#"expected integer, got "1.5""#);
        let e = parse_value("abc", ArgType::Number).unwrap_err();
        assert_eq!(e.message, r#"expected integer or float, got "abc""#);
    }

    #[test]
    fn bools() {
        assert_eq!(
            parse_value("true", ArgType::Bool).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            parse_value("false", ArgType::Bool).unwrap(),
            Value::Bool(false)
        );
        let e = parse_value("yes", ArgType::Bool).unwrap_err();
        assert_eq!(e.message, r#"expected true or false, got "yes""#);
    }

    #[test]
    fn slices() {
        let t = ArgType::Slice(&ArgType::String);
        assert_eq!(
            parse_value("{a,b,c}", t).unwrap(),
            Value::List(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            parse_value("a;b;c", t).unwrap(),
            Value::List(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            parse_value(r#""";apps"#, t).unwrap(),
            Value::List(vec![s(""), s("apps")])
        );
        assert_eq!(
            parse_value("single", t).unwrap(),
            Value::List(vec![s("single")])
        );
        let ti = ArgType::Slice(&ArgType::Int);
        assert_eq!(
            parse_value("{1, 2}", ti).unwrap(),
            Value::List(vec![Value::Int(1), Value::Int(2)])
        );
        let nested = ArgType::Slice(&ArgType::Slice(&ArgType::Int));
        assert_eq!(
            parse_value("{{1,1},{2,3}}", nested).unwrap(),
            Value::List(vec![
                Value::List(vec![Value::Int(1), Value::Int(1)]),
                Value::List(vec![Value::Int(2), Value::Int(3)])
            ])
        );
        assert_eq!(
            parse_value("{1;1,2;3}", nested).unwrap(),
            Value::List(vec![
                Value::List(vec![Value::Int(1), Value::Int(1)]),
                Value::List(vec![Value::Int(2), Value::Int(3)])
            ])
        );
        let ta = ArgType::Slice(&ArgType::Any);
        assert_eq!(
            parse_value(r#"1;2;"foo";"bar""#, ta).unwrap(),
            Value::List(vec![Value::Int(1), Value::Int(2), s("foo"), s("bar")])
        );
    }

    #[test]
    fn maps() {
        let t = ArgType::Map(&ArgType::String);
        assert_eq!(
            parse_value(r#"{a: x, "b c": "y"}"#, t).unwrap(),
            Value::Map(vec![("a".into(), s("x")), ("b c".into(), s("y"))])
        );
        assert_eq!(parse_value("{}", t).unwrap(), Value::Map(vec![]));
    }

    #[test]
    fn any_guesses() {
        assert_eq!(any("42"), Value::Int(42));
        assert_eq!(any("-2"), Value::Int(-2));
        assert_eq!(any("1.5"), Value::Num(1.5));
        assert_eq!(any("true"), Value::Bool(true));
        assert_eq!(any("trueish"), s("trueish"));
        assert_eq!(any(r#""quoted""#), s("quoted"));
        assert_eq!(any("Allow"), s("Allow"));
        for text in [
            "100Mi",
            "2024-01-15",
            "123abc",
            "0987",
            "sha256:08a7b",
            "123/config",
        ] {
            assert_eq!(any(text), s(text), "{text}");
        }
        assert_eq!(any("{}"), Value::Map(vec![]));
        assert_eq!(any("{a,b}"), Value::List(vec![s("a"), s("b")]));
        assert_eq!(any("a;b"), Value::List(vec![s("a"), s("b")]));
        assert_eq!(
            any(r#"{foo: "baz", bar: true}"#),
            Value::Map(vec![
                ("foo".into(), s("baz")),
                ("bar".into(), Value::Bool(true))
            ])
        );
        assert_eq!(
            any(r#"{{nested: {foo: "baz", bar: true}}}"#),
            Value::List(vec![Value::Map(vec![(
                "nested".into(),
                Value::Map(vec![
                    ("foo".into(), s("baz")),
                    ("bar".into(), Value::Bool(true))
                ])
            )])])
        );
        assert_eq!(
            any("{1,2}"),
            Value::List(vec![Value::Int(1), Value::Int(2)])
        );
    }

    #[test]
    fn struct_args() {
        let lookup = |n: &str| match n {
            "name" | "type" | "JSONPath" => Some(ArgType::String),
            "priority" => Some(ArgType::Int),
            "verbs" => Some(ArgType::Slice(&ArgType::String)),
            _ => None,
        };
        let args = parse_args(
            r#"name="Age",type=date,JSONPath=`.metadata.creationTimestamp`,priority=1"#,
            &lookup,
        )
        .unwrap();
        let names: Vec<_> = args.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["name", "type", "JSONPath", "priority"]);
        assert_eq!(args[2].1, s(".metadata.creationTimestamp"));
        assert_eq!(args[3].1, Value::Int(1));
        let args = parse_args("verbs=get;list;watch", &lookup).unwrap();
        assert_eq!(
            args[0].1,
            Value::List(vec![s("get"), s("list"), s("watch")])
        );
        let e = parse_args("nmae=x", &lookup).unwrap_err();
        assert_eq!(e.message, r#"unknown argument "nmae""#);
        assert_eq!(e.offset, 0);
        let e = parse_args("name=x,priority=high", &lookup).unwrap_err();
        assert_eq!(e.message, r#"expected integer, got "high""#);
        assert_eq!(e.offset, 16);
    }

    #[test]
    fn split() {
        assert_eq!(split_marker("+optional"), ("optional", "optional", "", 9));
        assert_eq!(
            split_marker("+kubebuilder:validation:Minimum=0"),
            (
                "kubebuilder:validation",
                "kubebuilder:validation:Minimum",
                "0",
                32
            )
        );
        assert_eq!(
            split_marker("+kubebuilder:default:={}"),
            ("kubebuilder:default", "kubebuilder:default:", "{}", 22)
        );
        assert_eq!(
            split_marker("+kubebuilder:printcolumn:name=x"),
            (
                "kubebuilder:printcolumn",
                "kubebuilder:printcolumn:name",
                "x",
                30
            )
        );
    }

    /// The argument tables of controller-gen's `pkg/markers/parse_test.go` (v0.23.0).
    #[test]
    fn controller_gen_argument_tables() {
        let str_cases = [
            ("some string here!", "some string here!"),
            ("aa 0Baaa aaa", "aa 0Baaa aaa"),
            (
                "/tmp/tmp-CHECKCRD-0B7LDeoZta",
                "/tmp/tmp-CHECKCRD-0B7LDeoZta",
            ),
            (".0B7LDeoZt", ".0B7LDeoZt"),
            ("\"some; string, \\nhere\"", "some; string, \nhere"),
            ("`some; string, \\nhere`", "some; string, \\nhere"),
        ];
        for (raw, want) in str_cases {
            assert_eq!(
                parse_value(raw, ArgType::String).unwrap(),
                s(want),
                "string {raw}"
            );
            assert_eq!(
                parse_value(raw, ArgType::Any).unwrap(),
                s(want),
                "any {raw}"
            );
        }
        let strs = ArgType::Slice(&ArgType::String);
        let hi = Value::List(vec![s("hi"), s("hello"), s("hey y'all")]);
        for raw in ["hi;hello;hey y'all", "{hi,hello,hey y'all}"] {
            assert_eq!(parse_value(raw, strs).unwrap(), hi, "{raw}");
            assert_eq!(parse_value(raw, ArgType::Any).unwrap(), hi, "any {raw}");
        }
        let ints = |v: &[i64]| Value::List(v.iter().map(|i| Value::Int(*i)).collect());
        let soslice = Value::List(vec![ints(&[1, 1]), ints(&[2, 3]), ints(&[5, 8])]);
        let t = ArgType::Slice(&ArgType::Slice(&ArgType::Int));
        for raw in ["{1;1,2;3,5;8}", "{{1,1},{2,3},{5,8}}"] {
            assert_eq!(parse_value(raw, t).unwrap(), soslice, "{raw}");
            assert_eq!(
                parse_value(raw, ArgType::Any).unwrap(),
                soslice,
                "any {raw}"
            );
        }
        assert_eq!(
            parse_value(
                "{formal: hello, `informal`: `hi!`}",
                ArgType::Map(&ArgType::String)
            )
            .unwrap(),
            Value::Map(vec![
                ("formal".into(), s("hello")),
                ("informal".into(), s("hi!"))
            ])
        );
        assert_eq!(
            any(
                r#"{text: "abc", len: 3, "as bytes": 97;98;99, props: {encoding: ascii, nullsafe: true, tags: {"triple", "in a row"}}}"#
            ),
            Value::Map(vec![
                ("text".into(), s("abc")),
                ("len".into(), Value::Int(3)),
                ("as bytes".into(), ints(&[97, 98, 99])),
                (
                    "props".into(),
                    Value::Map(vec![
                        ("encoding".into(), s("ascii")),
                        ("nullsafe".into(), Value::Bool(true)),
                        ("tags".into(), Value::List(vec![s("triple"), s("in a row")])),
                    ])
                ),
            ])
        );
        for raw in [
            "087bdd",
            "/tmp/tmp.4paHkdEcpK",
            "123/config",
            "0987",
            "100Mi",
            "2024-01-15",
            "sha256:08a7b",
            "00000000-1234-5678",
            "123abc",
        ] {
            assert_eq!(any(raw), s(raw), "{raw}");
        }
        assert_eq!(any("42"), Value::Int(42));
        assert_eq!(any("-42"), Value::Int(-42));
        assert_eq!(any("false"), Value::Bool(false));
    }
}
