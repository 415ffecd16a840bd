//! `krb create api`: the types of a new kind, its controller and its config/ entries.

use std::path::Path;

use crate::cargo_toml::{DependencySpec, TomlEdit};
use crate::context::{self, Ctx, ProjectCtx, ResourceCtx};
use crate::init::header;
use crate::plan::{IfExists, Op, Plan};
use crate::project::{self, Api, ProjectConfig, Resource};
use crate::templates::{self, PathVars};
use crate::{Prepared, ScaffoldError, naming};

#[derive(Debug, Clone)]
pub struct ApiOptions {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Defaults to kubebuilder's pluralization of the lowercased kind.
    pub plural: Option<String>,
    pub namespaced: bool,
    pub resource: bool,
    pub controller: bool,
    pub force: bool,
}

/// What a template needs before it is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Resource,
    Controller,
}

/// Which files of `templates/api` go with which flag, and whether they are shared files
/// (created once, then edited at markers) or scaffold-once files of this kind.
fn policy(template: &str) -> (Needs, Scope) {
    const SHARED: [&str; 4] = [
        "api/src/__version__/mod.rs",
        "config/crd/kustomization.yaml",
        "config/crd/kustomizeconfig.yaml",
        "config/samples/kustomization.yaml",
    ];
    // The controller's integration test goes with the controller.
    let needs = if template.starts_with("src/controller/") || template.starts_with("tests/") {
        Needs::Controller
    } else {
        Needs::Resource
    };
    let scope = if SHARED.contains(&template) {
        Scope::Shared
    } else if template.starts_with("config/rbac/") {
        Scope::Kind
    } else {
        Scope::Version
    };
    (needs, scope)
}

/// Who a scaffolded file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Shared by all kinds: created once, kept afterwards.
    Shared,
    /// One per kind, whatever its versions (the admin/editor/viewer roles).
    Kind,
    /// One per kind and version.
    Version,
}

/// Check what can be checked before the user is asked anything: the project files and the
/// names. Returns the project config and the plural.
pub fn precheck(root: &Path, opts: &ApiOptions) -> Result<(ProjectConfig, String), ScaffoldError> {
    let config = ProjectConfig::load(root)?;
    check_manifest(root)?;

    let flag = |flag: &'static str| move |reason| ScaffoldError::Flag { flag, reason };
    // The empty group is Kubernetes' core group, whose kinds krb cannot scaffold.
    if opts.group.is_empty() {
        return Err(ScaffoldError::Invalid(
            "invalid value for --group: the empty group is the core API group; give your API a group, e.g. --group batch".into(),
        ));
    }
    naming::validate_group(&opts.group).map_err(flag("--group"))?;
    naming::validate_qualified_group(&opts.group, &config.domain).map_err(flag("--group"))?;
    naming::validate_version(&opts.version).map_err(flag("--version"))?;
    naming::validate_kind(&opts.kind).map_err(flag("--kind"))?;
    let plural = match &opts.plural {
        Some(p) => {
            naming::validate_plural(p).map_err(flag("--plural"))?;
            p.clone()
        }
        None => {
            let p = naming::pluralize(&naming::lower_kind(&opts.kind));
            naming::validate_plural(&p).map_err(|reason| {
                ScaffoldError::Invalid(format!(
                    "the default plural of kind {} is unusable ({reason}); pass --plural",
                    opts.kind
                ))
            })?;
            p
        }
    };
    check_against_project(&config, opts, &plural)?;
    Ok((config, plural))
}

pub fn plan(root: &Path, opts: &ApiOptions) -> Result<Prepared, ScaffoldError> {
    let (mut config, plural) = precheck(root, opts)?;
    if !opts.resource && !opts.controller {
        return Err(ScaffoldError::Invalid(
            "nothing to scaffold: both --resource and --controller are false".into(),
        ));
    }

    let existing = config.find(&opts.group, &opts.version, &opts.kind).cloned();
    let has_api = existing.as_ref().is_some_and(|r| r.api.is_some());
    let has_controller = existing.as_ref().is_some_and(|r| r.controller);
    let gvk = format!("{}/{} {}", opts.group, opts.version, opts.kind);
    if opts.resource && has_api && !opts.force {
        return Err(ScaffoldError::Invalid(format!(
            "API resource {gvk} already exists (use --force to scaffold its files again)"
        )));
    }
    let other_controller = config
        .resources
        .iter()
        .find(|r| r.kind == opts.kind && r.version != opts.version && r.controller);
    if let Some(other) = other_controller
        && opts.controller
    {
        return Err(ScaffoldError::Invalid(format!(
            "kind {} already has a controller (scaffolded with version {}); one controller serves every version, so pass --controller=false",
            opts.kind, other.version
        )));
    }
    if opts.controller && has_controller && !opts.force {
        return Err(ScaffoldError::Invalid(format!(
            "a controller for {gvk} already exists (use --force to scaffold it again)"
        )));
    }
    if opts.controller && !opts.resource && !has_api {
        return Err(ScaffoldError::Invalid(format!(
            "no API for {gvk}: the controller needs its types; run without --resource=false"
        )));
    }
    // A resource scaffolded earlier keeps its scope unless the types are written again.
    let namespaced = match (&existing, opts.resource) {
        (Some(Resource { api: Some(api), .. }), false) => api.namespaced,
        _ => opts.namespaced,
    };

    let boilerplate = read_optional(root, context::BOILERPLATE)?;
    let ctx = Ctx {
        project: ProjectCtx::new(&config.project_name, &config.domain, &config.repo, "", ""),
        krb_version: context::KRB_VERSION,
        rust_version: context::RUST_VERSION,
        boilerplate: header(&boilerplate.unwrap_or_default()),
        dev_crates: None,
        resource: Some(ResourceCtx::new(
            &opts.group,
            &opts.version,
            &opts.kind,
            &plural,
            &config.domain,
            namespaced,
        )),
    };
    let res = ctx.resource.as_ref().expect("set above");
    let vars = PathVars {
        kind: &res.kind_lower,
        group: &opts.group,
        version: &opts.version,
    };
    let owned = if opts.force {
        IfExists::Overwrite
    } else {
        IfExists::Error
    };

    // Another version of this kind already scaffolded its per-kind files.
    let other_version = config
        .resources
        .iter()
        .any(|r| r.kind == opts.kind && r.version != opts.version && r.api.is_some());
    let mut plan = Plan::new();
    for file in templates::render_set("api", &ctx, &vars)? {
        let (needs, scope) = policy(&file.template);
        let wanted = match needs {
            Needs::Resource => opts.resource,
            Needs::Controller => opts.controller,
        };
        if !wanted {
            continue;
        }
        plan.push(Op::Create {
            path: file.path.into(),
            contents: file.contents,
            if_exists: match scope {
                Scope::Shared => IfExists::Skip,
                Scope::Kind if other_version => IfExists::Skip,
                Scope::Kind | Scope::Version => owned,
            },
        });
    }
    let insert = |path: &str, marker: &str, fragment: String, sorted: bool| Op::Insert {
        path: path.into(),
        marker: marker.into(),
        fragment,
        sorted,
    };
    let (v, k) = (&opts.version, &res.kind_lower);
    if opts.resource {
        plan.push(insert(
            "api/src/lib.rs",
            "// +krb:scaffold:versions",
            format!("pub mod {v};"),
            true,
        ));
        let mod_rs = format!("api/src/{v}/mod.rs");
        plan.push(insert(
            &mod_rs,
            "// +krb:scaffold:kinds",
            kind_exports(k, &opts.kind),
            false,
        ));
        plan.push(insert(
            "config/default/kustomization.yaml",
            "# +krb:scaffold:crd",
            "- ../crd".into(),
            false,
        ));
        plan.push(insert(
            "config/crd/kustomization.yaml",
            "# +krb:scaffold:crdkustomizeresource",
            format!("- bases/{}_{plural}.yaml", res.qualified_group),
            false,
        ));
        plan.push(insert(
            "config/rbac/kustomization.yaml",
            "# +krb:scaffold:rbac-roles",
            format!("- {k}_admin_role.yaml\n- {k}_editor_role.yaml\n- {k}_viewer_role.yaml\n"),
            false,
        ));
        plan.push(insert(
            "config/samples/kustomization.yaml",
            "# +krb:scaffold:manifestskustomizesamples",
            format!("- {}_{v}_{k}.yaml", opts.group),
            false,
        ));
    }
    if opts.controller {
        plan.push(insert(
            "src/controller/mod.rs",
            "// +krb:scaffold:controllers",
            format!("pub mod {k}_controller;"),
            true,
        ));
        // The controllers live in the package's library (src/lib.rs), so that tests/ can run
        // them too; main imports the module once, as kubebuilder's main.go imports its
        // controller package.
        plan.push(insert(
            "src/main.rs",
            "// +krb:scaffold:imports",
            format!("use {}::controller;", ctx.project.lib),
            true,
        ));
        plan.push(insert(
            "src/main.rs",
            "// +krb:scaffold:builder",
            setup_call(&format!("controller::{k}_controller")),
            false,
        ));
        // Dependencies of the scaffolded controller, added through toml_edit.
        for (name, version) in [("serde_json", "1"), ("thiserror", "2")] {
            plan.push(Op::EditToml {
                path: "Cargo.toml".into(),
                edit: TomlEdit::WorkspaceDependency {
                    name: name.into(),
                    spec: DependencySpec::version(version),
                },
            });
        }
    }

    config.upsert(Resource {
        api: (opts.resource || has_api).then(|| Api {
            crd_version: "v1".into(),
            namespaced,
        }),
        controller: opts.controller || has_controller,
        domain: config.domain.clone(),
        group: opts.group.clone(),
        kind: opts.kind.clone(),
        path: Some(format!("{}::{v}", ctx.project.api_lib)),
        plural: plural.clone(),
        version: opts.version.clone(),
        webhooks: existing.as_ref().and_then(|r| r.webhooks.clone()),
    });
    plan.push(Op::Create {
        path: project::FILE.into(),
        contents: config.render(),
        if_exists: IfExists::Overwrite,
    });

    let mut warnings = Vec::new();
    let versions: Vec<&str> = config
        .resources
        .iter()
        .filter(|r| r.group == opts.group && r.kind == opts.kind && r.api.is_some())
        .map(|r| r.version.as_str())
        .collect();
    if opts.resource && versions.len() > 1 {
        warnings.push(format!(
            "{} now has versions {}: mark exactly one of them as the storage version with `/// +kubebuilder:storageversion`",
            opts.kind,
            versions.join(", ")
        ));
    }
    let next = if opts.resource {
        "Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:\n$ krb make manifests"
    } else {
        "Next: implement your new controller, then generate the RBAC role with:\n$ krb make manifests"
    };
    Ok(Prepared {
        plan,
        warnings,
        next: next.to_string(),
    })
}

/// Rust lines longer than this are broken, as rustfmt's default `max_width`.
pub(crate) const MAX_WIDTH: usize = 100;

/// The module and re-exports of a kind in `api/src/<version>/mod.rs`, laid out as rustfmt
/// would, so generated projects pass `cargo fmt --check` whatever the kind is called.
fn kind_exports(kind_lower: &str, kind: &str) -> String {
    let names = [
        kind.to_string(),
        format!("{kind}Spec"),
        format!("{kind}Status"),
    ];
    let one_line = format!("pub use {kind_lower}_types::{{{}}};", names.join(", "));
    let export = if one_line.len() <= MAX_WIDTH {
        one_line
    } else {
        // rustfmt's "Mixed" imports layout: fill each indented line, then wrap.
        let mut lines: Vec<String> = Vec::new();
        for name in &names {
            match lines.last_mut() {
                Some(line) if line.len() + name.len() + 2 <= MAX_WIDTH => {
                    line.push(' ');
                    line.push_str(name);
                    line.push(',');
                }
                _ => lines.push(format!("    {name},")),
            }
        }
        format!("pub use {kind_lower}_types::{{\n{}\n}};", lines.join("\n"))
    };
    format!("mod {kind_lower}_types;\n{export}\n")
}

/// A module's `setup(&mgr)` call in `main`, indented four spaces there, broken as rustfmt
/// would when too long. `module` is e.g. `controller::cronjob_controller`.
pub(crate) fn setup_call(module: &str) -> String {
    let call = format!("{module}::setup(&mgr);");
    if call.len() + 4 <= MAX_WIDTH {
        call
    } else {
        format!("{module}::setup(\n    &mgr,\n);")
    }
}

/// The root manifest must parse before anything is planned, so the error names it.
fn check_manifest(root: &Path) -> Result<(), ScaffoldError> {
    let text = read_optional(root, "Cargo.toml")?.ok_or_else(|| {
        ScaffoldError::Invalid("Cargo.toml: not found at the project root".into())
    })?;
    crate::cargo_toml::parse(&text)
        .map(drop)
        .map_err(|m| ScaffoldError::Invalid(format!("Cargo.toml: {m}")))
}

/// Rules across resources: one group per project (kubebuilder's single-group layout), and a
/// plural names one kind only.
fn check_against_project(
    config: &ProjectConfig,
    opts: &ApiOptions,
    plural: &str,
) -> Result<(), ScaffoldError> {
    if let Some(other) = config.resources.iter().find(|r| r.group != opts.group) {
        return Err(ScaffoldError::Invalid(format!(
            "group {:?} differs from the project's group {:?}; krb projects hold one API group (multi-group layouts are not supported yet)",
            opts.group, other.group
        )));
    }
    for r in &config.resources {
        if r.kind != opts.kind && r.kind.eq_ignore_ascii_case(&opts.kind) {
            return Err(ScaffoldError::Invalid(format!(
                "kind {} differs from the existing kind {} only in case; their files would collide",
                opts.kind, r.kind
            )));
        }
        if r.kind != opts.kind && r.plural == plural {
            return Err(ScaffoldError::Invalid(format!(
                "plural {plural:?} of kind {} collides with kind {} in group {:?}; pass another --plural",
                opts.kind, r.kind, r.group
            )));
        }
        if r.kind == opts.kind && r.plural != plural {
            return Err(ScaffoldError::Invalid(format!(
                "kind {} already uses the plural {:?} (version {}); every version of a kind shares it",
                r.kind, r.plural, r.version
            )));
        }
    }
    Ok(())
}

/// A project file's text, or `None` when it does not exist.
pub(crate) fn read_optional(root: &Path, rel: &str) -> Result<Option<String>, ScaffoldError> {
    match std::fs::read_to_string(root.join(rel)) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ScaffoldError::Io {
            path: rel.into(),
            error,
        }),
    }
}
