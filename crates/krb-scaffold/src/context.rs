//! The typed context every template is rendered with.

use serde::Serialize;

use crate::naming;

/// The version of krb written into PROJECT and the generated Cargo.toml.
pub const KRB_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The minimum Rust version of generated projects (that of kube 5).
pub const RUST_VERSION: &str = "1.89";

/// Where the license header of generated Rust files is kept, as kubebuilder's
/// `hack/boilerplate.go.txt`.
pub const BOILERPLATE: &str = "hack/boilerplate.rs.txt";

#[derive(Debug, Clone, Serialize)]
pub struct ProjectCtx {
    pub name: String,
    pub domain: String,
    pub repo: String,
    pub owner: String,
    pub license: String,
    /// Package name of the api crate: `<name>-api`.
    pub api_crate: String,
    /// Rust name of the api crate: `<name>_api`.
    pub api_lib: String,
    /// Rust name of the manager package's library (its controllers): `<name>` with `_`.
    pub lib: String,
    pub leader_election_id: String,
}

impl ProjectCtx {
    pub fn new(name: &str, domain: &str, repo: &str, owner: &str, license: &str) -> Self {
        Self {
            name: name.to_string(),
            domain: domain.to_string(),
            repo: repo.to_string(),
            owner: owner.to_string(),
            license: license.to_string(),
            api_crate: format!("{name}-api"),
            api_lib: format!("{}_api", name.replace('-', "_")),
            lib: name.replace('-', "_"),
            leader_election_id: format!("{}.{domain}", fnv32a_hex(repo)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceCtx {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub kind_lower: String,
    pub plural: String,
    pub qualified_group: String,
    pub api_version: String,
    pub namespaced: bool,
}

impl ResourceCtx {
    pub fn new(
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        domain: &str,
        namespaced: bool,
    ) -> Self {
        let qualified_group = if group.is_empty() {
            domain.to_string()
        } else {
            format!("{group}.{domain}")
        };
        Self {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            kind_lower: naming::lower_kind(kind),
            plural: plural.to_string(),
            api_version: format!("{qualified_group}/{version}"),
            qualified_group,
            namespaced,
        }
    }
}

/// Everything a template may use.
#[derive(Debug, Clone, Serialize)]
pub struct Ctx {
    pub project: ProjectCtx,
    pub krb_version: &'static str,
    pub rust_version: &'static str,
    /// License header for Rust files (ends with a blank line), or empty.
    pub boilerplate: String,
    /// Path of a local krb checkout's `crates/` directory to patch in, for krb's own tests.
    pub dev_crates: Option<String>,
    pub resource: Option<ResourceCtx>,
}

/// The 32-bit FNV-1a hash of `s` in hex, as kubebuilder's `hashFNV` template function,
/// which names the leader-election Lease.
pub fn fnv32a_hex(s: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_values() {
        // Reference values of FNV-1a 32 (offset basis for "", and the published vector for "a").
        assert_eq!(fnv32a_hex(""), "811c9dc5");
        assert_eq!(fnv32a_hex("a"), "e40c292c");
        assert_eq!(fnv32a_hex("foobar"), "bf9cf968");
    }

    #[test]
    fn qualified_group_and_api_version() {
        let r = ResourceCtx::new("batch", "v1", "CronJob", "cronjobs", "example.io", true);
        assert_eq!(r.qualified_group, "batch.example.io");
        assert_eq!(r.api_version, "batch.example.io/v1");
        assert_eq!(r.kind_lower, "cronjob");
    }
}
