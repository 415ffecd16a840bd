//! End-to-end tests of `generate`: golden files, parity with the real controller-gen, the YAML
//! emitter against sigs.k8s.io/yaml, freshness of the Kubernetes schema table, diagnostics.
//!
//! The tests that need Go tools (controller-gen v0.23.0, go) are skipped when the tools are
//! missing, except under `CI=true`, where a missing tool is a failure.
//! Bless the golden files with `KRB_BLESS=1 cargo test -p krb-markers`.

use std::path::{Path, PathBuf};
use std::process::Command;

use krb_markers::{Options, generate};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(name)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The path of a Go tool, or None (skip) — a panic under CI=true.
fn go_tool(name: &str) -> Option<PathBuf> {
    let env_name = name.to_ascii_uppercase().replace('-', "_");
    let mut candidates: Vec<PathBuf> = std::env::var_os(&env_name)
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(paths) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&paths).map(|p| p.join(name)));
    }
    if let Ok(out) = Command::new("go").args(["env", "GOPATH"]).output() {
        let gopath = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        candidates.push(Path::new(&gopath).join("bin").join(name));
    }
    candidates.push(PathBuf::from("/usr/local/go/bin").join(name));
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !in_ci(),
            "{name} is required under CI=true (install: see crates/krb-markers/README.md)"
        );
        eprintln!("skipping: {name} not found");
    }
    found
}

fn bless() -> bool {
    std::env::var("KRB_BLESS").is_ok_and(|v| v == "1")
}

fn yaml_to_json(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde_json::Value::deserialize(d).expect("valid YAML"))
        .collect()
}

/// controller-gen's output without its version annotation; ours without the header.
fn normalize_cg(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| *l != "    controller-gen.kubebuilder.io/version: v0.23.0")
        .collect();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if *l == "  annotations:" && !lines.get(i + 1).is_some_and(|n| n.starts_with("    ")) {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn normalize_krb(text: &str) -> String {
    text.strip_prefix(krb_markers::GENERATED_HEADER)
        .unwrap_or(text)
        .to_owned()
}

#[test]
fn cronjob_golden() {
    let root = fixture("cronjob");
    let out = generate(&root, &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<String> = out
        .files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "config/crd/bases/batch.tutorial.kubebuilder.io_cronjobs.yaml",
            "config/rbac/role.yaml"
        ]
    );
    for (path, text) in &out.files {
        let golden = root.join("expected").join(path);
        if bless() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, text).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(
            text,
            &want,
            "{} differs from {} (KRB_BLESS=1 to update)",
            path.display(),
            golden.display()
        );
    }
}

/// Fixtures whose output may differ from controller-gen's in bytes (never in meaning), with
/// the reason. Each entry is also explained in book/src/reference/markers.md ("Differences").
/// Empty: every fixture is byte-identical.
const ALLOWED_BYTE_DIFFERENCES: &[(&str, &str)] = &[];

/// The fixtures with a Go twin (`<fixture>/go`), in name order.
fn parity_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(crate_dir().join("tests/fixtures"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("go").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// How one fixture compares with controller-gen.
#[derive(Debug)]
struct Outcome {
    name: String,
    /// Same files, each the same YAML value.
    semantic: bool,
    /// Same files, each the same bytes (after normalization).
    bytes: bool,
    /// What differs, for the failure message.
    detail: String,
}

/// Run controller-gen over `<fixture>/go` and krb over `<fixture>`, and compare.
fn compare(cg: &Path, name: &str, max_desc_len: Option<usize>) -> Outcome {
    let crd_arg = match max_desc_len {
        Some(n) => format!("crd:maxDescLen={n}"),
        None => "crd".to_owned(),
    };
    let root = fixture(name);
    let mut outcome = Outcome {
        name: name.to_owned(),
        semantic: false,
        bytes: false,
        detail: String::new(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(cg)
        .current_dir(root.join("go"))
        .env("GOFLAGS", "-mod=mod")
        .args([
            "rbac:roleName=manager-role",
            &crd_arg,
            "webhook",
            "paths=./...",
            &format!(
                "output:crd:artifacts:config={}",
                tmp.path().join("config/crd/bases").display()
            ),
            &format!(
                "output:rbac:dir={}",
                tmp.path().join("config/rbac").display()
            ),
            &format!(
                "output:webhook:dir={}",
                tmp.path().join("config/webhook").display()
            ),
        ])
        .output()
        .unwrap();
    if !out.status.success() {
        outcome.detail = format!(
            "controller-gen failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return outcome;
    }
    let opts = Options {
        max_desc_len,
        ..Options::default()
    };
    let ours_out = match generate(&root, &opts) {
        Ok(o) => o,
        Err(d) => {
            outcome.detail = format!("krb failed:\n{d}");
            return outcome;
        }
    };
    let mut theirs_files: Vec<String> = Vec::new();
    for dir in ["config/crd/bases", "config/rbac", "config/webhook"] {
        let Ok(entries) = std::fs::read_dir(tmp.path().join(dir)) else {
            continue;
        };
        for e in entries {
            theirs_files.push(format!(
                "{dir}/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    theirs_files.sort();
    let ours_files: Vec<String> = ours_out
        .files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    if ours_files != theirs_files {
        outcome.detail =
            format!("files differ: krb {ours_files:?}, controller-gen {theirs_files:?}");
        return outcome;
    }
    let dump = std::env::var_os("KRB_PARITY_DUMP").map(PathBuf::from);
    let (mut semantic, mut bytes) = (true, true);
    for (path, text) in &ours_out.files {
        let theirs = std::fs::read_to_string(tmp.path().join(path)).unwrap();
        let (ours, theirs) = (normalize_krb(text), normalize_cg(&theirs));
        if let Some(d) = &dump {
            for (side, t) in [("krb", &ours), ("controller-gen", &theirs)] {
                let p = d.join(name).join(side).join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, t).unwrap();
            }
        }
        if yaml_to_json(&ours) != yaml_to_json(&theirs) {
            semantic = false;
            outcome.detail.push_str(&format!(
                "{}: differs semantically from controller-gen's\n",
                path.display()
            ));
        }
        if ours != theirs {
            bytes = false;
            let line = ours
                .lines()
                .zip(theirs.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| ours.lines().count().min(theirs.lines().count()))
                + 1;
            outcome.detail.push_str(&format!(
                "{}: not byte-identical (first difference at line {line})\n",
                path.display()
            ));
        }
    }
    outcome.semantic = semantic;
    outcome.bytes = bytes;
    outcome
}

/// Compare every fixture, two controller-gen processes at a time.
fn compare_all(cg: &Path, names: &[String], max_desc_len: Option<usize>) -> Vec<Outcome> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    let o = compare(cg, name, max_desc_len);
                    results.lock().unwrap().push(o);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    results
}

/// Straight to stderr, past the test harness's capture: the report is the point.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Every fixture with a Go twin, through krb and through controller-gen v0.23.0: the same
/// files, semantically equal, and byte-identical unless listed in ALLOWED_BYTE_DIFFERENCES.
/// Set KRB_PARITY_DUMP=<dir> to keep both outputs.
#[test]
fn parity_with_controller_gen() {
    let Some(cg) = go_tool("controller-gen") else {
        return;
    };
    let names = parity_fixtures();
    assert!(
        names.len() >= 30,
        "expected at least 30 parity fixtures, found {}",
        names.len()
    );
    let outcomes = compare_all(&cg, &names, None);
    let m = outcomes.len();
    let n = outcomes.iter().filter(|o| o.semantic).count();
    let k = outcomes.iter().filter(|o| o.bytes).count();
    for o in &outcomes {
        let status = match (o.semantic, o.bytes) {
            (true, true) => "byte-identical",
            (true, false) => "semantically equal",
            _ => "DIFFERENT",
        };
        report(&format!("  {:<16} {status}", o.name));
    }
    report(&format!(
        "parity: {n} of {m} semantically equal, {k} of {m} byte-identical"
    ));
    let mut failures = Vec::new();
    for o in &outcomes {
        let allowed = ALLOWED_BYTE_DIFFERENCES.iter().any(|(f, _)| *f == o.name);
        if !o.semantic || (!o.bytes && !allowed) {
            failures.push(format!("{}:\n{}", o.name, o.detail));
        }
    }
    for (f, _) in ALLOWED_BYTE_DIFFERENCES {
        if outcomes.iter().any(|o| o.name == *f && o.bytes) {
            failures.push(format!(
                "{f} is byte-identical now: remove it from ALLOWED_BYTE_DIFFERENCES and the book"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} (KRB_PARITY_DUMP=<dir> to see both outputs):\n{}",
        "parity with controller-gen failed",
        failures.join("\n")
    );
}

/// `crd:maxDescLen` on fixtures with long and with no descriptions.
#[test]
fn max_desc_len_parity_with_controller_gen() {
    let Some(cg) = go_tool("controller-gen") else {
        return;
    };
    for (name, max) in [("tutorial", 50), ("cronjob", 0), ("docs-markers", 20)] {
        let o = compare(&cg, name, Some(max));
        assert!(
            o.semantic && o.bytes,
            "{name} with maxDescLen={max}:\n{}",
            o.detail
        );
    }
}

#[test]
fn yaml_emitter_matches_sigs_yaml() {
    let Some(go) = go_tool("go") else { return };
    let mut docs: Vec<serde_json::Value> = Vec::new();
    for key in krb_markers::kubernetes_types() {
        let out = generate_one_type(key);
        docs.push(out);
    }
    docs.push(serde_json::json!({
        "strings": ["True", "n", "null", "~", "", " lead", "trail ", "a: b", "a #b", "#x", "- x", "-x", "?x", "? x",
                    ":x", "x:", "1.5", "1e3", "0x1F", "0o17", "017", "1_000", "+1", ".5", "1.", "2024-01-15",
                    "2024-01-15T10:00:00Z", "1:20", "yes", "Off", "{}", "[a]", "'q'", "\"dq\"", "back\\slash",
                    "tab\there", "hi 😀", "é", "line\nbreak", "ends\n", "two\n\n", "\nlead", "a\n b ", "---x", "...x",
                    "`x`", "@x", "%x", "!x", "&x", "*x", "|x", ">x", "a,b", "[x", "x]", "{x", "x}", "a'b"],
        "numbers": [0, -1, 0.5, 1.5e-7, 1e21, 123456789012_i64, -0.25],
        "deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j":
            "word word word word word word word word word word word word word word word word word word word word"}}}}}}}}}},
        "empty": {"m": {}, "l": [], "n": null},
        "longs": ["aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss",
                  "it's {x} aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr",
                  "\"q\" aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr  ssss",
                  "tab\t aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr  ssss"],
    }));
    let input: String = docs.iter().map(|d| format!("{d}\n")).collect();
    let tool = crate_dir().join("k8s-schemas");
    let mut child = Command::new(go)
        .current_dir(&tool)
        .env("GOFLAGS", "-mod=mod")
        .args(["run", "./jsontoyaml"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(input.as_bytes()).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    let theirs = String::from_utf8(out.stdout).unwrap();
    let ours = krb_markers::yaml::to_documents(&docs);
    if ours != theirs {
        for (n, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", n + 1);
        }
        assert_eq!(ours.lines().count(), theirs.lines().count());
    }
}

fn generate_one_type(key: &str) -> serde_json::Value {
    // A one-field api crate using the type; the field schema is the table entry.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("api/src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        format!(
            "#[derive(CustomResource)]\n#[kube(group = \"g.io\", version = \"v1\", kind = \"K\")]\npub struct KSpec {{\n    pub f: {key},\n}}\n"
        ),
    )
    .unwrap();
    let out = generate(tmp.path(), &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    let docs = yaml_to_json(&out.files[0].1);
    docs[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["f"]
        .clone()
}

#[test]
fn k8s_table_is_fresh() {
    let Some(_) = go_tool("controller-gen") else {
        return;
    };
    let Some(_) = go_tool("go") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("table.json");
    let status = Command::new("bash")
        .arg(crate_dir().join("k8s-schemas/regen.sh"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "regen.sh failed");
    let fresh = std::fs::read_to_string(out).unwrap();
    let committed = std::fs::read_to_string(crate_dir().join("src/k8s_schemas.json")).unwrap();
    assert!(
        fresh == committed,
        "src/k8s_schemas.json is stale: run crates/krb-markers/k8s-schemas/regen.sh"
    );
}

#[test]
fn diagnostics_are_reported_together_with_locations() {
    let root = fixture("errors");
    let err = generate(&root, &Options::default()).unwrap_err();
    let text = err.to_string();
    let golden = root.join("expected.txt");
    if bless() {
        std::fs::write(&golden, format!("{text}\n")).unwrap();
    }
    assert_eq!(
        format!("{text}\n"),
        std::fs::read_to_string(golden).unwrap_or_default()
    );
}
