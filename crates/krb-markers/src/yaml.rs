//! A YAML emitter that writes what controller-gen writes: `json.Marshal` → yaml.v2
//! (sigs.k8s.io/yaml) → 2-space indentation, sorted keys (yaml.v2's key order), block
//! sequences not indented under their key, `|-` literal blocks for multi-line strings,
//! YAML 1.1 quoting for strings that would read as another type, and line folding at 80
//! columns.

use serde_json::Value;

const BEST_WIDTH: usize = 80;
const INDENT: usize = 2;

/// Render `docs` as a multi-document stream, each prefixed by `---`.
pub fn to_documents(docs: &[Value]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(&to_string(d));
    }
    out
}

/// Render one document (without `---`).
pub fn to_string(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
    };
    match v {
        Value::Object(m) if !m.is_empty() => e.mapping(m, 0),
        Value::Array(a) if !a.is_empty() => e.sequence(a, 0),
        other => {
            e.scalar_or_flow(other, 0);
            e.newline();
        }
    }
    e.out
}

/// yaml.v2's `keyList.Less`: letters sort after non-letters, digit runs compare numerically.
pub fn key_less(a: &str, b: &str) -> bool {
    // Keys are almost always ASCII: compare bytes then, without collecting chars.
    if a.is_ascii() && b.is_ascii() {
        return less_by(a.as_bytes(), b.as_bytes(), |c| char::from(*c));
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    less_by(&ar, &br, |c| *c)
}

fn less_by<T: PartialOrd>(ar: &[T], br: &[T], ch: impl Fn(&T) -> char) -> bool {
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ch(&ar[i]).is_alphabetic();
        let bl = ch(&br[i]).is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ch(&ar[i]) == '0' || ch(&br[i]) == '0' {
            let mut j = i;
            while j > 0 && ch(&ar[j - 1]).is_ascii_digit() {
                j -= 1;
                if ch(&ar[j]) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ch(&ar[ai]).is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ch(&ar[ai]) as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && ch(&br[bi]).is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(ch(&br[bi]) as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

fn sorted_keys(m: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by(|a, b| {
        if key_less(a, b) {
            std::cmp::Ordering::Less
        } else if key_less(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    keys
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// `[A-Za-z][A-Za-z0-9_./-]*`: nothing yaml.v2 would quote, fold or escape.
fn is_token(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-'))
}

fn is_printable(c: char) -> bool {
    // yaml.v2's is_printable works on UTF-8 bytes; this is the same set of code points
    // (4-byte sequences are not printable there).
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = false;
    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) =
        (false, false, false, false);
    let (mut line_breaks, mut special) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|n| *n == ' ' || *n == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    block_indicators = true;
                }
                '?' | ':' if followed_by_whitespace => {
                    block_indicators = true;
                }
                '-' if followed_by_whitespace => {
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => {
                    block_indicators = true;
                }
                '#' if preceded_by_whitespace => {
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == chars.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Would yaml.v2 resolve this plain scalar to something other than a string?
fn resolves_to_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    const SPECIAL: &[&str] = &[
        "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N",
        "no", "No", "NO", "off", "Off", "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(b"+-.0123456789".contains(&first)) {
        return false;
    }
    let plain = s.replace('_', "");
    if parse_go_int(&plain) || is_yaml_float(&plain) {
        return true;
    }
    if let Some(rest) = plain
        .strip_prefix("0b")
        .or_else(|| plain.strip_prefix("-0b"))
        && !rest.is_empty()
        && rest.bytes().all(|b| b == b'0' || b == b'1')
    {
        return true;
    }
    is_timestamp(s) || is_base60_float(s)
}

/// strconv.ParseInt(s, 0, 64) or ParseUint succeeds.
fn parse_go_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let (digits, radix) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (r, 16)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (r, 2)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (r, 8)
        } else if body.len() > 1 && body.starts_with('0') {
            (&body[1..], 8)
        } else {
            (body, 10)
        };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// yaml.v2's float regexp: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// yaml.v2 timestamps: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2 15:4:5...`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |i: &mut usize, min: usize, max: usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < max {
            *i += 1;
        }
        *i - st >= min
    };
    let mut i = 0;
    if !(num(&mut i, 4, 4) && b.get(i) == Some(&b'-')) {
        return false;
    }
    i += 1;
    if !(num(&mut i, 1, 2) && b.get(i) == Some(&b'-')) {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    // time part: [Tt ]h:m:s(.frac)?(Z|±hh:mm)?
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    if !(num(&mut i, 1, 2) && b.get(i) == Some(&b':')) {
        return false;
    }
    i += 1;
    if !(num(&mut i, 1, 2) && b.get(i) == Some(&b':')) {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        num(&mut i, 0, 9);
    }
    if i == b.len() {
        return true;
    }
    if b[i] == b'Z' {
        return i + 1 == b.len();
    }
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
        return num(&mut i, 2, 2) && b.get(i) == Some(&b':') && {
            i += 1;
            num(&mut i, 2, 2) && i == b.len()
        };
    }
    false
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if !(i < b.len() && b[i].is_ascii_digit()) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let n = &s[st..i];
        if n.is_empty() || (n.len() == 2 && n.as_bytes()[0] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn spaces(&mut self, n: usize) {
        const SPACES: &str = "                                                                ";
        let mut left = n;
        while left > 0 {
            let k = left.min(SPACES.len());
            self.out.push_str(&SPACES[..k]);
            left -= k;
        }
        self.column += n;
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self, indent: usize) {
        self.newline();
        self.spaces(indent);
    }

    fn mapping(&mut self, m: &serde_json::Map<String, Value>, indent: usize) {
        for (n, k) in sorted_keys(m).into_iter().enumerate() {
            if n > 0 {
                self.spaces(indent);
            }
            self.scalar(k, indent, true);
            self.put(':');
            self.value(&m[k.as_str()], indent, true);
        }
    }

    fn sequence(&mut self, a: &[Value], indent: usize) {
        for (n, item) in a.iter().enumerate() {
            if n > 0 {
                self.spaces(indent);
            }
            self.put('-');
            match item {
                Value::Object(m) if !m.is_empty() => {
                    self.put(' ');
                    self.mapping(m, indent + INDENT);
                }
                Value::Array(s) if !s.is_empty() => {
                    self.put(' ');
                    self.sequence(s, indent + INDENT);
                }
                other => {
                    self.put(' ');
                    self.scalar_or_flow(other, indent + INDENT);
                    self.newline();
                }
            }
        }
    }

    /// The value after `key:` in a mapping at `indent`.
    fn value(&mut self, v: &Value, indent: usize, _in_map: bool) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.newline();
                self.spaces(indent + INDENT);
                self.mapping(m, indent + INDENT);
            }
            Value::Array(a) if !a.is_empty() => {
                self.newline();
                self.spaces(indent);
                self.sequence(a, indent);
            }
            other => {
                self.put(' ');
                self.scalar_or_flow(other, indent + INDENT);
                self.newline();
            }
        }
    }

    fn scalar_or_flow(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Null => self.put_str("null"),
            Value::Bool(b) => self.put_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.put_str(&format_number(n)),
            Value::String(s) => self.scalar(s, indent, false),
            Value::Object(_) => self.put_str("{}"),
            Value::Array(_) => self.put_str("[]"),
        }
    }

    /// A string scalar; `indent` is the indentation of continuation lines.
    fn scalar(&mut self, s: &str, indent: usize, simple_key: bool) {
        // Fast path for the common token-like scalar (keys, types, formats): no spaces, no
        // indicators, so yaml.v2 writes it plain unless it reads as another type.
        if is_token(s) && !resolves_to_non_string(s) {
            self.put_str(s);
            return;
        }
        let a = analyze(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if resolves_to_non_string(s) {
            Style::Double
        } else {
            Style::Plain
        };
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, indent, allow_breaks),
            Style::Single => self.write_single(s, indent, allow_breaks),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put('\'');
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                spaces = false;
            }
        }
        self.put('\'');
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put('"');
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let v = c as u32;
                match v {
                    0x00 => self.put('0'),
                    0x07 => self.put('a'),
                    0x08 => self.put('b'),
                    0x09 => self.put('t'),
                    0x0A => self.put('n'),
                    0x0B => self.put('v'),
                    0x0C => self.put('f'),
                    0x0D => self.put('r'),
                    0x1B => self.put('e'),
                    0x22 => self.put('"'),
                    0x5C => self.put('\\'),
                    0x85 => self.put('N'),
                    0xA0 => self.put('_'),
                    0x2028 => self.put('L'),
                    0x2029 => self.put('P'),
                    _ => {
                        let (p, w) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(p);
                        self.put_str(&format!("{v:0w$X}"));
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                {
                    self.write_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.put('"');
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put('|');
        if s.starts_with(' ') || s.starts_with('\n') {
            self.put_str(&INDENT.to_string());
        }
        let trailing = s.len() - s.trim_end_matches('\n').len();
        match trailing {
            0 => self.put('-'),
            1 => {}
            _ => self.put('+'),
        }
        self.newline();
        let mut breaks = true;
        for c in s.chars() {
            if is_break(c) {
                self.newline();
                breaks = true;
            } else {
                if breaks {
                    for _ in 0..indent {
                        self.put(' ');
                    }
                    breaks = false;
                }
                self.put(c);
            }
        }
        if s.ends_with(is_break) {
            // the caller writes the final line break
            self.out.pop();
        }
    }
}

/// Numbers as yaml.v2 prints the value json.Marshal wrote.
fn format_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    // Go's strconv.FormatFloat(f, 'g', -1, 64)
    let exp = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if !(-4..21).contains(&exp) {
        let s = format!("{f:e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", e.abs())
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order() {
        let mut keys = vec![
            "x-kubernetes-list-type",
            "type",
            "additionalProperties",
            "f10",
            "f9",
            "_x",
            "Ax",
            "apiVersion",
        ];
        keys.sort_by(|a, b| {
            if key_less(a, b) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        assert_eq!(
            keys,
            [
                "_x",
                "Ax",
                "additionalProperties",
                "apiVersion",
                "f9",
                "f10",
                "type",
                "x-kubernetes-list-type"
            ]
        );
    }

    #[test]
    fn quoting() {
        let doc = json!({
            "a": "True", "b": "124", "c": "1.5", "d": "yes", "e": "{}", "f": "!has(x)", "g": "plain text",
            "h": "", "i": "2024-01-15", "j": "a: b", "k": "- x", "l": "0x1F", "m": "it's", "n": "null",
            "o": "x #y", "p": "1_000", "q": "100Mi", "r": "tab\there", "s": "- ", "t": "-x", "u": ":x"
        });
        assert_eq!(
            to_string(&doc),
            "a: \"True\"\nb: \"124\"\nc: \"1.5\"\nd: \"yes\"\ne: '{}'\nf: '!has(x)'\ng: plain text\nh: \"\"\n\
             i: \"2024-01-15\"\nj: 'a: b'\nk: '- x'\nl: \"0x1F\"\nm: it's\n\"n\": \"null\"\no: 'x #y'\np: \"1_000\"\n\
             q: 100Mi\nr: \"tab\\there\"\ns: '- '\nt: -x\nu: :x\n"
        );
    }

    #[test]
    fn structure() {
        let doc = json!({"spec": {"list": ["a", {"k": 1, "j": [1, 2]}], "empty": {}, "none": [], "status": {"x": {}}},
                         "desc": "line one\nline two\n\nline four"});
        assert_eq!(
            to_string(&doc),
            "desc: |-\n  line one\n  line two\n\n  line four\nspec:\n  empty: {}\n  list:\n  - a\n  - j:\n    - 1\n    - 2\n    k: 1\n  none: []\n  status:\n    x: {}\n"
        );
    }

    #[test]
    fn folding() {
        let long = "foo is an example field of CronJob. Edit cronjob_types.rs to remove/update.";
        let doc =
            json!({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"description": long}}}}}}}}});
        let out = to_string(&doc);
        assert!(out.ends_with(
            "                description: foo is an example field of CronJob. Edit cronjob_types.rs\n                  to remove/update.\n"
        ), "{out}");
    }

    #[test]
    fn numbers() {
        assert_eq!(
            to_string(&json!({"a": 0.5, "b": -2, "c": 1e-7})),
            "a: 0.5\nb: -2\nc: 1e-07\n"
        );
    }
}
