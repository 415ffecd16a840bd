//! include_dir does not tell cargo about the files it embeds; without this, editing a
//! template would not rebuild krb.
fn main() {
    println!("cargo::rerun-if-changed=templates");
    println!("cargo::rerun-if-changed=../../templates");
}
