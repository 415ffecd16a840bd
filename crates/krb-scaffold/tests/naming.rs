//! `naming` against its references: the plural tables printed by the real gobuffalo/flect
//! (see `tests/data/plurals-gen`), and the names the `api` templates use.

use std::path::{Path, PathBuf};

use krb_scaffold::naming::{
    RESERVED_KIND_NAMES, lower_kind, pluralize, regular_plural, validate_kind,
};

const FLECT_VERSION: &str = "flect v1.0.3";

/// Parses a `word<TAB>plural` table; `#` lines are comments. Words may be empty or spaces,
/// so lines are not trimmed.
fn table(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            line.split_once('\t')
                .unwrap_or_else(|| panic!("row without a tab: {line:?}"))
        })
        .collect()
}

#[test]
fn pluralize_matches_kubebuilder_regular_plural() {
    let text = include_str!("data/plurals.tsv");
    assert!(text.lines().next().unwrap().contains(FLECT_VERSION));
    let rows = table(text);
    assert!(rows.len() >= 300, "only {} rows", rows.len());
    let mismatches: Vec<String> = rows
        .iter()
        .filter_map(|&(kind, want)| {
            let got = pluralize(&kind.to_lowercase());
            assert_eq!(got, regular_plural(kind));
            (got != want).then(|| format!("{kind}: flect {want:?}, krb {got:?}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ:\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n")
    );
}

#[test]
fn pluralize_matches_flect_on_mixed_case_input() {
    let text = include_str!("data/plurals-raw.tsv");
    assert!(text.lines().next().unwrap().contains(FLECT_VERSION));
    let rows = table(text);
    assert!(rows.len() >= 300, "only {} rows", rows.len());
    let mismatches: Vec<String> = rows
        .iter()
        .filter_map(|&(word, want)| {
            let got = pluralize(word);
            (got != want).then(|| format!("{word:?}: flect {want:?}, krb {got:?}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ:\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n")
    );
}

#[test]
fn kubebuilder_examples() {
    // kubebuilder's own testdata: Admiral is given --plural=admirales because flect says admirals
    assert_eq!(regular_plural("Admiral"), "admirals");
    assert_eq!(regular_plural("CronJob"), "cronjobs");
    assert_eq!(lower_kind("CronJob"), "cronjob");
}

/// The `templates/api` directory, wherever the lead keeps it.
fn api_templates() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        crate_dir.join("templates/api"),
        crate_dir.join("../../templates/api"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .expect("templates/api not found next to krb-scaffold or at the workspace root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Replaces template expressions and tags with a lowercase placeholder, so that
/// `{{ resource.kind }}Spec` does not read as the identifier `Spec`.
fn strip_template_syntax(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest
        .find(['{'])
        .filter(|&i| rest[i + 1..].starts_with('{') || rest[i + 1..].starts_with('%'))
    {
        out.push_str(&rest[..start]);
        let close = if rest[start + 1..].starts_with('{') {
            "}}"
        } else {
            "%}"
        };
        let end = rest[start..]
            .find(close)
            .map_or(rest.len(), |e| start + e + 2);
        out.push_str("tpl_");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn identifiers(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Capitalized names the generated modules import (`use ...;`) or define (`struct`, `enum`,
/// `trait`, `type`) with a fixed name.
fn names_used_by_templates() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&api_templates(), &mut files);
    let mut names = Vec::new();
    for file in files {
        let text = strip_template_syntax(&std::fs::read_to_string(&file).unwrap());
        let code: Vec<&str> = text
            .lines()
            .map(str::trim_start)
            .filter(|l| !l.starts_with("//"))
            .collect();
        let mut use_tree: Option<String> = None;
        for line in &code {
            let line = line.strip_prefix("pub ").unwrap_or(line);
            if let Some(start) = line.strip_prefix("use ") {
                use_tree = Some(start.to_string());
            } else if let Some(tree) = use_tree.as_mut() {
                tree.push_str(line);
            }
            if let Some(tree) = use_tree.take_if(|t| t.contains(';')) {
                names.extend(identifiers(&tree).map(String::from));
            }
        }
        for line in &code {
            let mut words = line.split_whitespace().skip_while(|w| *w == "pub");
            if let (Some("struct" | "enum" | "trait" | "type"), Some(name)) =
                (words.next(), words.next())
            {
                names.extend(identifiers(name).take(1).map(String::from));
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn kinds_cannot_collide_with_names_the_templates_use() {
    let names = names_used_by_templates();
    assert!(!names.is_empty(), "no imports found in templates/api");
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !RESERVED_KIND_NAMES.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "templates/api uses {missing:?}; add them to naming::RESERVED_KIND_NAMES"
    );
    for name in &names {
        assert!(validate_kind(name).is_err(), "{name}");
    }
}

#[test]
fn template_syntax_is_stripped() {
    assert_eq!(
        strip_template_syntax("pub struct {{ resource.kind }}Spec {%- if x %}"),
        "pub struct tpl_Spec tpl_"
    );
}
