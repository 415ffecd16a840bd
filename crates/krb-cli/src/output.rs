//! How commands report a plan: the files they touch, then the "Next:" hint.

use std::path::Path;

use anyhow::Context as _;
use krb_scaffold::Prepared;
use krb_scaffold::plan::Change;

/// Print warnings, then apply the plan (or only list it with `dry_run`), then the hint.
pub fn apply(root: &Path, prepared: Prepared, dry_run: bool) -> anyhow::Result<()> {
    for w in &prepared.warnings {
        eprintln!("warning: {w}");
    }
    if dry_run {
        let resolved = prepared
            .plan
            .resolve(root)
            .with_context(|| format!("nothing would be written to {}", root.display()))?;
        for (path, original, contents) in resolved {
            let change = match original {
                None => Change::Created,
                Some(o) if o == contents => Change::Unchanged,
                Some(_) => Change::Updated,
            };
            say(format_args!("{change:>9}  {}", path.display()));
        }
        say(format_args!("dry run: nothing written"));
        return Ok(());
    }
    let report = prepared
        .plan
        .apply(root)
        .with_context(|| format!("nothing was written to {}", root.display()))?;
    let mut wrote = false;
    for (path, change) in report.written() {
        say(format_args!("{change:>9}  {}", path.display()));
        wrote = true;
    }
    if !wrote {
        say(format_args!("nothing to do: every file is up to date"));
    }
    say(format_args!("{}", prepared.next));
    Ok(())
}

/// Print a line; a closed pipe (`krb ... | head`) ends the listing quietly instead of
/// panicking as `println!` would. The plan itself is already applied or not by then.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
