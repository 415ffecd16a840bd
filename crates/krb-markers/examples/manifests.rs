//! `cargo run -p krb-markers --example manifests -- <project-root> [out-dir]`: print (or write)
//! the manifests krb generates for a project, and how long it took.

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let out_dir = args.next().map(PathBuf::from);
    let start = std::time::Instant::now();
    let result = krb_markers::generate(&root, &krb_markers::Options::default());
    let took = start.elapsed();
    match result {
        Ok(out) => {
            for (path, text) in out.files {
                match &out_dir {
                    Some(d) => {
                        let p = d.join(&path);
                        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                        std::fs::write(p, text).unwrap();
                    }
                    None => print!("{text}"),
                }
            }
            eprintln!("generated in {took:?}");
        }
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(1);
        }
    }
}
