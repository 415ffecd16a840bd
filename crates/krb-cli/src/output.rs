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
            println!("{change:>9}  {}", path.display());
        }
        println!("dry run: nothing written");
        return Ok(());
    }
    let report = prepared
        .plan
        .apply(root)
        .with_context(|| format!("nothing was written to {}", root.display()))?;
    let mut wrote = false;
    for (path, change) in report.written() {
        println!("{change:>9}  {}", path.display());
        wrote = true;
    }
    if !wrote {
        println!("nothing to do: every file is up to date");
    }
    println!("{}", prepared.next);
    Ok(())
}
