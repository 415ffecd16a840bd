//! `krb create webhook`: a kind's defaulting, validating and conversion webhooks, their
//! registration in main, and the config/ entries that deploy them with cert-manager.
//!
//! Webhooks can be added one at a time. `src/webhook/<version>/<kind>_webhook.rs` is created
//! once, as a skeleton with scaffold markers (imports, `setup`, types); each webhook type is
//! inserted at those markers, so adding the validator after the defaulter keeps the user's
//! edits to the defaulter. `--force` writes the file again from the skeleton with every
//! webhook type PROJECT records (the user's edits to it are lost, as with kubebuilder).
//! Each admission webhook type has its own test, `tests/<kind>_<version>_<type>_webhook.rs`,
//! which sends it `AdmissionReview`s in-process.
//!
//! Conversion (`--conversion --spoke v2`, the hub is `--version`): `impl Hub` in
//! `api/src/<hub>/<kind>_conversion.rs` and `impl Spoke` (with a round-trip test) in
//! `api/src/<spoke>/<kind>_conversion.rs` (the api crate owns the types, so the trait impls
//! live there), `mgr.add_conversion(..)` in the hub's webhook file, the CRD patch
//! `config/crd/patches/webhook_in_<plural>.yaml` and cert-manager's CA injection into the CRD.

use std::path::Path;

use serde::Serialize;

use crate::api::{MAX_WIDTH, read_optional};
use crate::cargo_toml::{DependencySpec, TomlEdit};
use crate::context::{self, Ctx, ProjectCtx, ResourceCtx};
use crate::init::header;
use crate::plan::{IfExists, Op, Plan};
use crate::project::{self, ProjectConfig, Webhooks};
use crate::templates::{self, PathVars, Rendered};
use crate::{Prepared, ScaffoldError, naming};

#[derive(Debug, Clone, Default)]
pub struct WebhookOptions {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// A mutating webhook with a typed defaulter.
    pub defaulting: bool,
    /// A validating webhook with a typed validator.
    pub validation: bool,
    /// A conversion webhook: `version` is the hub, `spokes` the other versions.
    pub conversion: bool,
    /// Spoke versions of a conversion webhook (they must exist in PROJECT).
    pub spokes: Vec<String>,
    pub defaulting_path: Option<String>,
    pub validation_path: Option<String>,
    pub force: bool,
}

/// The template context: the common one plus the webhook paths.
#[derive(Debug, Serialize)]
struct WebhookCtx {
    #[serde(flatten)]
    base: Ctx,
    defaulting_path: String,
    validation_path: String,
    /// The spoke version a conversion template is rendered for.
    spoke: String,
}

/// Marker lines inside the generated webhook file.
const IMPORTS: &str = "// +krb:scaffold:webhook-imports";
const SETUP: &str = "// +krb:scaffold:webhook-setup";
const TYPES: &str = "// +krb:scaffold:webhook-types";

const KUSTOMIZATION: &str = "config/default/kustomization.yaml";

pub fn plan(root: &Path, opts: &WebhookOptions) -> Result<Prepared, ScaffoldError> {
    let mut config = ProjectConfig::load(root)?;
    let flag = |flag: &'static str| move |reason| ScaffoldError::Flag { flag, reason };
    naming::validate_group(&opts.group).map_err(flag("--group"))?;
    naming::validate_version(&opts.version).map_err(flag("--version"))?;
    naming::validate_kind(&opts.kind).map_err(flag("--kind"))?;
    check_flags(opts)?;

    let gvk = format!("{}/{} {}", opts.group, opts.version, opts.kind);
    let resource = config
        .find(&opts.group, &opts.version, &opts.kind)
        .filter(|r| r.api.is_some())
        .cloned()
        .ok_or_else(|| {
            ScaffoldError::Invalid(format!("no API for {gvk}: run 'krb create api' first"))
        })?;
    let existing = resource.webhooks.clone().unwrap_or_default();
    for (wanted, present, what) in [
        (opts.defaulting, existing.defaulting, "defaulting"),
        (opts.validation, existing.validation, "validating"),
        (opts.conversion, existing.conversion, "conversion"),
    ] {
        if wanted && present && !opts.force {
            return Err(ScaffoldError::Invalid(format!(
                "a {what} webhook for {gvk} already exists (use --force to scaffold it again)"
            )));
        }
    }

    // What PROJECT records afterwards; a custom path given now replaces the recorded one.
    let mut webhooks = Webhooks {
        webhook_version: "v1".into(),
        ..existing.clone()
    };
    if opts.defaulting {
        webhooks.defaulting = true;
        webhooks.defaulting_path = opts.defaulting_path.clone();
    }
    if opts.validation {
        webhooks.validation = true;
        webhooks.validation_path = opts.validation_path.clone();
    }
    if opts.conversion {
        check_spokes(&config, opts)?;
        webhooks.conversion = true;
        webhooks.spoke = opts.spokes.clone();
    }

    let namespaced = resource.api.as_ref().is_some_and(|a| a.namespaced);
    let res = ResourceCtx::new(
        &opts.group,
        &opts.version,
        &opts.kind,
        &resource.plural,
        &config.domain,
        namespaced,
    );
    let dashed = res.qualified_group.replace('.', "-");
    let default_path = |verb: &str| format!("/{verb}-{dashed}-{}-{}", opts.version, res.kind_lower);
    let boilerplate = read_optional(root, context::BOILERPLATE)?;
    let ctx = WebhookCtx {
        defaulting_path: webhooks
            .defaulting_path
            .clone()
            .unwrap_or_else(|| default_path("mutate")),
        validation_path: webhooks
            .validation_path
            .clone()
            .unwrap_or_else(|| default_path("validate")),
        spoke: String::new(),
        base: Ctx {
            project: ProjectCtx::new(&config.project_name, &config.domain, &config.repo, "", ""),
            krb_version: context::KRB_VERSION,
            rust_version: context::RUST_VERSION,
            boilerplate: header(&boilerplate.unwrap_or_default()),
            dev_crates: None,
            resource: Some(res.clone()),
        },
    };
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
    // Without --force only the new webhook types are inserted into the existing file; with
    // it, the file is written again with all of them.
    let insert_defaulting = opts.defaulting || (opts.force && webhooks.defaulting);
    let insert_validation = opts.validation || (opts.force && webhooks.validation);
    let insert_conversion = opts.conversion || (opts.force && webhooks.conversion);

    let kind_file = format!("src/webhook/{}/{}_webhook.rs", opts.version, res.kind_lower);
    let mut plan = Plan::new();
    let mut fragments: Vec<Rendered> = Vec::new();
    for file in templates::render_set("webhook", &ctx, &vars)? {
        let template = file.template.as_str();
        let if_exists = if template.starts_with("fragments/") || template.starts_with("conversion/")
        {
            fragments.push(file);
            continue;
        } else if template.starts_with("tests/") {
            let wanted = if template.contains("_defaulting_") {
                opts.defaulting
            } else {
                opts.validation
            };
            if !wanted {
                continue;
            }
            owned
        } else if file.path == kind_file {
            if opts.force {
                IfExists::Overwrite
            } else {
                IfExists::Skip
            }
        } else {
            // Shared by every webhook: created once, then the user's.
            IfExists::Skip
        };
        plan.push(Op::Create {
            path: file.path.into(),
            contents: file.contents,
            if_exists,
        });
    }
    let fragment = |name: &str| -> String {
        let text = fragments
            .iter()
            .find(|f| f.template == format!("fragments/{name}.rs"))
            .map(|f| f.contents.trim())
            .unwrap_or_default();
        format!("{text}\n\n")
    };
    let insert = |path: &str, marker: &str, fragment: String, sorted: bool| Op::Insert {
        path: path.into(),
        marker: marker.into(),
        fragment,
        sorted,
    };
    let mut types: Vec<(&str, &[&str], &str)> = Vec::new();
    if insert_defaulting {
        types.push((
            "defaulting",
            &["Defaulter", "Rejection"],
            "mgr.add_defaulter::<Kind, _>(DEFAULTING_PATH, CustomDefaulter);",
        ));
    }
    if insert_validation {
        types.push((
            "validation",
            &[
                "FieldError",
                "FieldPath",
                "Rejection",
                "Validator",
                "Warnings",
            ],
            "mgr.add_validator::<Kind, _>(VALIDATION_PATH, CustomValidator);",
        ));
    }
    for (name, imports, setup) in types {
        for item in imports {
            plan.push(insert(
                &kind_file,
                IMPORTS,
                format!("use krb::webhook::{item};"),
                true,
            ));
        }
        plan.push(insert(&kind_file, SETUP, setup.to_string(), false));
        plan.push(insert(&kind_file, TYPES, fragment(name), false));
    }
    if insert_conversion {
        let api_lib = &ctx.base.project.api_lib;
        plan.push(insert(
            &kind_file,
            IMPORTS,
            "use krb::webhook::Conversion;".into(),
            true,
        ));
        for spoke in &webhooks.spoke {
            plan.push(insert(
                &kind_file,
                IMPORTS,
                format!(
                    "use {api_lib}::{spoke}::{} as {};",
                    opts.kind,
                    spoke_alias(spoke)
                ),
                true,
            ));
        }
        plan.push(insert(
            &kind_file,
            SETUP,
            conversion_call(&webhooks.spoke),
            false,
        ));
    }

    // A kustomization that lists manifests.yaml already (edited by hand) needs no marker.
    let listed = read_optional(root, "config/webhook/kustomization.yaml")?
        .is_some_and(|t| t.lines().any(|l| l.trim_end() == "- manifests.yaml"));
    if (webhooks.defaulting || webhooks.validation) && !listed {
        plan.push(insert(
            "config/webhook/kustomization.yaml",
            "# +krb:scaffold:webhookmanifests",
            "- manifests.yaml".into(),
            false,
        ));
    }
    let (v, k) = (&opts.version, &res.kind_lower);
    let lib = &ctx.base.project.lib;
    plan.push(insert(
        "config/network-policy/kustomization.yaml",
        "# +krb:scaffold:network-policies",
        "- allow-webhook-traffic.yaml".into(),
        false,
    ));
    plan.push(insert(
        "src/webhook/mod.rs",
        "// +krb:scaffold:webhook-versions",
        format!("pub mod {v};"),
        true,
    ));
    plan.push(insert(
        &format!("src/webhook/{v}/mod.rs"),
        "// +krb:scaffold:webhook-kinds",
        format!("pub mod {k}_webhook;"),
        true,
    ));
    plan.push(insert(
        "src/lib.rs",
        "// +krb:scaffold:modules",
        "pub mod webhook;".into(),
        true,
    ));
    plan.push(insert(
        "src/main.rs",
        "// +krb:scaffold:imports",
        format!("use {lib}::webhook;"),
        true,
    ));
    plan.push(insert(
        "src/main.rs",
        "// +krb:scaffold:builder",
        setup_call(v, k),
        false,
    ));
    // The tests send AdmissionReviews as JSON.
    plan.push(Op::EditToml {
        path: "Cargo.toml".into(),
        edit: TomlEdit::WorkspaceDependency {
            name: "serde_json".into(),
            spec: DependencySpec::version("1"),
        },
    });

    let mut warnings = Vec::new();
    match read_optional(root, KUSTOMIZATION)? {
        Some(text) => {
            let (edited, missing) = enable_webhook_sections(&text, &webhooks);
            for section in missing {
                warnings.push(format!(
                    "{KUSTOMIZATION}: the commented section starting with {section:?} was not found; enable it by hand"
                ));
            }
            if edited != text {
                plan.push(Op::Create {
                    path: KUSTOMIZATION.into(),
                    contents: edited,
                    if_exists: IfExists::Overwrite,
                });
            }
        }
        None => warnings.push(format!(
            "{KUSTOMIZATION} not found: add ../webhook, ../certmanager and manager_webhook_patch.yaml to your kustomization by hand"
        )),
    }
    // After the kustomization is rewritten: the conversion inserts into it.
    if opts.conversion {
        plan.extend(conversion_plan(root, &ctx, &vars, opts, &fragments)?);
    }

    let mut updated = resource.clone();
    updated.webhooks = Some(webhooks);
    config.upsert(updated);
    plan.push(Op::Create {
        path: project::FILE.into(),
        contents: config.render(),
        if_exists: IfExists::Overwrite,
    });

    // The hub is the storage version, as kubebuilder marks it. The marker goes next to the
    // kind's `subresource:status` marker; without that line, or when another version already
    // claims storage, the user decides.
    const STATUS_MARKER: &str = "/// +kubebuilder:subresource:status";
    let hub_types = format!("api/src/{}/{}_types.rs", opts.version, res.kind_lower);
    let hub_text = read_optional(root, &hub_types)?.unwrap_or_default();
    let marked = hub_text.contains("+kubebuilder:storageversion");
    let other_storage = config
        .resources
        .iter()
        .filter(|r| r.kind == opts.kind && r.version != opts.version)
        .any(|r| {
            read_optional(
                root,
                &format!("api/src/{}/{}_types.rs", r.version, res.kind_lower),
            )
            .ok()
            .flatten()
            .is_some_and(|t| t.contains("+kubebuilder:storageversion"))
        });
    if opts.conversion && !marked {
        if !other_storage && hub_text.lines().any(|l| l.trim() == STATUS_MARKER) {
            plan.push(insert(
                &hub_types,
                STATUS_MARKER,
                "/// +kubebuilder:storageversion".into(),
                false,
            ));
        } else {
            warnings.push(format!(
                "{} {} is the hub of the conversion: mark it as the storage version with `/// +kubebuilder:storageversion` ({hub_types})",
                opts.kind, opts.version
            ));
        }
    }
    Ok(Prepared {
        plan,
        warnings,
        next: "Next: implement your new Webhook and generate the manifests with:\n$ krb make manifests\n\
               Deploying it needs cert-manager in the cluster (https://cert-manager.io/docs/installation/)."
            .to_string(),
    })
}

/// The flag rules that need no project: at least one webhook type, custom paths only with
/// their webhook and starting with '/'.
fn check_flags(opts: &WebhookOptions) -> Result<(), ScaffoldError> {
    let invalid = |m: &str| Err(ScaffoldError::Invalid(m.to_string()));
    if !opts.defaulting && !opts.validation && !opts.conversion {
        return invalid(
            "nothing to scaffold: pass at least one of --defaulting, --programmatic-validation and --conversion",
        );
    }
    if !opts.spokes.is_empty() && !opts.conversion {
        return invalid("--spoke needs --conversion");
    }
    if opts.conversion && opts.spokes.is_empty() {
        return invalid(
            "--conversion needs --spoke: the versions that convert to and from the hub --version, e.g. --spoke v2",
        );
    }
    for (path, enabled, name, needs) in [
        (
            &opts.defaulting_path,
            opts.defaulting,
            "--defaulting-path",
            "--defaulting",
        ),
        (
            &opts.validation_path,
            opts.validation,
            "--validation-path",
            "--programmatic-validation",
        ),
    ] {
        let Some(path) = path else { continue };
        if !enabled {
            return invalid(&format!("{name} needs {needs}"));
        }
        if !path.starts_with('/') {
            return invalid(&format!(
                "invalid value for {name}: {path:?} must start with '/'"
            ));
        }
        if let Some(c) = path
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "/-_.".contains(*c)))
        {
            return invalid(&format!(
                "invalid value for {name}: {path:?} contains {c:?}; use letters, digits, '/', '-', '_' and '.'"
            ));
        }
    }
    Ok(())
}

/// Spokes must be other versions of the same kind, with their types.
fn check_spokes(config: &ProjectConfig, opts: &WebhookOptions) -> Result<(), ScaffoldError> {
    let mut seen = Vec::new();
    for spoke in &opts.spokes {
        naming::validate_version(spoke).map_err(|reason| ScaffoldError::Flag {
            flag: "--spoke",
            reason,
        })?;
        if *spoke == opts.version {
            return Err(ScaffoldError::Invalid(format!(
                "--spoke {spoke} is the hub (--version); a spoke is another version of {}",
                opts.kind
            )));
        }
        if seen.contains(&spoke) {
            return Err(ScaffoldError::Invalid(format!(
                "--spoke {spoke} is given twice"
            )));
        }
        seen.push(spoke);
        if config
            .find(&opts.group, spoke, &opts.kind)
            .is_none_or(|r| r.api.is_none())
        {
            return Err(ScaffoldError::Invalid(format!(
                "spoke version {spoke} of {} does not exist: run 'krb create api --group {} --version {spoke} --kind {}' first",
                opts.kind, opts.group, opts.kind
            )));
        }
    }
    Ok(())
}

/// The name a spoke's type is imported as in the hub's webhook file: `SpokeV2`.
fn spoke_alias(version: &str) -> String {
    let mut chars = version.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('V');
    format!("Spoke{first}{}", chars.as_str())
}

/// The conversion's registration in `setup`, indented four spaces there, laid out as rustfmt
/// would.
fn conversion_call(spokes: &[String]) -> String {
    let chain: String = spokes
        .iter()
        .map(|s| format!(".spoke::<{}>()", spoke_alias(s)))
        .collect();
    let line = format!("mgr.add_conversion(Conversion::<Kind>::new(){chain});");
    // rustfmt's `chain_width`: a longer method chain goes one call a line.
    if format!("Conversion::<Kind>::new(){chain}").len() <= 60 && line.len() + 4 <= MAX_WIDTH {
        return line;
    }
    let mut out = String::from("mgr.add_conversion(\n    Conversion::<Kind>::new()");
    for s in spokes {
        out.push_str(&format!("\n        .spoke::<{}>()", spoke_alias(s)));
    }
    out.push_str(",\n);");
    out
}

/// The files of a conversion webhook besides the hub's webhook file: the hub and spoke
/// implementations in the api crate, the CRD patch and its kustomize wiring.
fn conversion_plan(
    root: &Path,
    ctx: &WebhookCtx,
    vars: &PathVars<'_>,
    opts: &WebhookOptions,
    fragments: &[Rendered],
) -> Result<Plan, ScaffoldError> {
    let res = ctx.base.resource.as_ref().expect("set by plan");
    let k = &res.kind_lower;
    let owned = if opts.force {
        IfExists::Overwrite
    } else {
        IfExists::Error
    };
    let template = |files: &[Rendered], name: &str| -> String {
        files
            .iter()
            .find(|f| f.template == format!("conversion/{name}"))
            .map(|f| f.contents.clone())
            .unwrap_or_default()
    };
    let mut plan = Plan::new();
    let module = |version: &str| Op::Insert {
        path: format!("api/src/{version}/mod.rs").into(),
        marker: "// +krb:scaffold:kinds".into(),
        fragment: format!("mod {k}_conversion;"),
        sorted: false,
    };
    plan.push(Op::Create {
        path: format!("api/src/{}/{k}_conversion.rs", opts.version).into(),
        contents: template(fragments, "hub.rs"),
        if_exists: owned,
    });
    plan.push(module(&opts.version));
    for spoke in &opts.spokes {
        let spoke_ctx = WebhookCtx {
            spoke: spoke.clone(),
            base: ctx.base.clone(),
            defaulting_path: ctx.defaulting_path.clone(),
            validation_path: ctx.validation_path.clone(),
        };
        let files = templates::render_set("webhook", &spoke_ctx, vars)?;
        plan.push(Op::Create {
            path: format!("api/src/{spoke}/{k}_conversion.rs").into(),
            contents: template(&files, "spoke.rs"),
            if_exists: owned,
        });
        plan.push(module(spoke));
    }
    // The api crate implements krb's Hub and Spoke traits.
    let manifest = "api/Cargo.toml";
    let text = read_optional(root, manifest)?
        .ok_or_else(|| ScaffoldError::Invalid(format!("{manifest}: not found")))?;
    if let Some(contents) =
        add_krb_dependency(&text).map_err(|m| ScaffoldError::Invalid(format!("{manifest}: {m}")))?
    {
        plan.push(Op::Create {
            path: manifest.into(),
            contents,
            if_exists: IfExists::Overwrite,
        });
    }

    let patch = format!("config/crd/patches/webhook_in_{}.yaml", res.plural);
    plan.push(Op::Create {
        path: patch.clone().into(),
        contents: template(fragments, "crd_patch.yaml"),
        if_exists: IfExists::Skip,
    });
    if let Some(text) = read_optional(root, "config/crd/kustomization.yaml")? {
        let section = Section {
            first: "#configurations:",
            prefix: "#",
            block: true,
        };
        if let Some(edited) = uncomment(&text, &section) {
            plan.push(Op::Create {
                path: "config/crd/kustomization.yaml".into(),
                contents: edited,
                if_exists: IfExists::Overwrite,
            });
        }
    }
    plan.push(Op::Insert {
        path: "config/crd/kustomization.yaml".into(),
        marker: "# +krb:scaffold:crdkustomizewebhookpatch".into(),
        fragment: format!("- path: patches/webhook_in_{}.yaml", res.plural),
        sorted: false,
    });
    // cert-manager injects its CA into the CRD's conversion webhook.
    let crd = format!("{}.{}", res.plural, res.qualified_group);
    for (marker, index) in [
        ("# +krb:scaffold:crdkustomizecainjectionns", 0),
        ("# +krb:scaffold:crdkustomizecainjectionname", 1),
    ] {
        plan.push(Op::Insert {
            path: KUSTOMIZATION.into(),
            marker: marker.into(),
            fragment: format!(
                "    - select:\n        kind: CustomResourceDefinition\n        name: {crd}\n      fieldPaths:\n        - .metadata.annotations.[cert-manager.io/inject-ca-from]\n      options:\n        delimiter: '/'\n        index: {index}\n        create: true\n"
            ),
            sorted: false,
        });
    }
    Ok(plan)
}

/// The api crate's manifest with `krb.workspace = true` in `[dependencies]`; `None` when it
/// is there already.
fn add_krb_dependency(text: &str) -> Result<Option<String>, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let deps = doc
        .get_mut("dependencies")
        .and_then(|d| d.as_table_like_mut())
        .ok_or("no [dependencies] table")?;
    if deps.get("krb").is_some() {
        return Ok(None);
    }
    let mut dep = toml_edit::Table::new();
    dep.set_dotted(true);
    dep.insert("workspace", toml_edit::value(true));
    deps.insert("krb", toml_edit::Item::Table(dep));
    Ok(Some(doc.to_string()))
}

/// Uncomments the commented lines right above `marker` (up to a blank line or another
/// scaffold marker): the conversion's CA injection sources.
fn uncomment_above(text: &str, marker: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(end) = lines.iter().position(|l| l.trim_end() == marker) else {
        return text.to_string();
    };
    let mut start = end;
    while start > 0 {
        let l = lines[start - 1].trim_end();
        if l.is_empty() || l.starts_with("# +krb:scaffold:") {
            break;
        }
        start -= 1;
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        if (start..end).contains(&i) && line.starts_with('#') {
            out.push_str(strip(line, "# "));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The webhooks' registration in `main`.
fn setup_call(version: &str, kind_lower: &str) -> String {
    crate::api::setup_call(&format!("webhook::{version}::{kind_lower}_webhook"))
}

/// A commented section of config/default/kustomization.yaml: its first line, the comment
/// prefix its lines lose, and whether it runs to the next blank line (else one line).
struct Section {
    first: &'static str,
    prefix: &'static str,
    block: bool,
}

const WEBHOOK_RESOURCE: Section = Section {
    first: "#- ../webhook",
    prefix: "#",
    block: false,
};
const CERTMANAGER_RESOURCE: Section = Section {
    first: "#- ../certmanager",
    prefix: "#",
    block: false,
};
const WEBHOOK_PATCH: Section = Section {
    first: "#- path: manager_webhook_patch.yaml",
    prefix: "#",
    block: true,
};
const SERVICE_REPLACEMENTS: Section = Section {
    first: "#replacements:",
    prefix: "# ",
    block: true,
};
const VALIDATING_REPLACEMENTS: Section = Section {
    first: "# - source: # Uncomment the following block if you have a ValidatingWebhook (--programmatic-validation)",
    prefix: "# ",
    block: true,
};
const MUTATING_REPLACEMENTS: Section = Section {
    first: "# - source: # Uncomment the following block if you have a DefaultingWebhook (--defaulting )",
    prefix: "# ",
    block: true,
};

/// Uncomments the webhook and cert-manager sections of config/default/kustomization.yaml as
/// kubebuilder does: the resources, the manager patch, and the CA injection replacements of
/// the webhook types in `webhooks`. Returns the text and the sections that were not found
/// (neither commented nor enabled).
fn enable_webhook_sections(text: &str, webhooks: &Webhooks) -> (String, Vec<&'static str>) {
    let mut sections = vec![
        WEBHOOK_RESOURCE,
        CERTMANAGER_RESOURCE,
        WEBHOOK_PATCH,
        SERVICE_REPLACEMENTS,
    ];
    if webhooks.validation {
        sections.push(VALIDATING_REPLACEMENTS);
    }
    if webhooks.defaulting {
        sections.push(MUTATING_REPLACEMENTS);
    }
    let mut text = text.to_string();
    if webhooks.conversion {
        text = uncomment_above(&text, "# +krb:scaffold:crdkustomizecainjectionns");
        text = uncomment_above(&text, "# +krb:scaffold:crdkustomizecainjectionname");
    }
    let mut missing = Vec::new();
    for section in sections {
        match uncomment(&text, &section) {
            Some(edited) => text = edited,
            None => {
                let enabled = strip(section.first, section.prefix);
                if !text.lines().any(|l| l.trim_end() == enabled) {
                    missing.push(section.first);
                }
            }
        }
    }
    (text, missing)
}

fn strip<'a>(line: &'a str, prefix: &str) -> &'a str {
    line.strip_prefix(prefix)
        .or_else(|| line.strip_prefix('#'))
        .unwrap_or(line)
}

/// The text with `section` uncommented, or `None` when its first line is not there.
fn uncomment(text: &str, section: &Section) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| l.trim_end() == section.first)?;
    let mut end = start + 1;
    if section.block {
        while end < lines.len() && lines[end].starts_with('#') {
            end += 1;
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        if (start..end).contains(&i) {
            out.push_str(strip(line, section.prefix));
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncomments_blocks_and_single_lines() {
        let text = "resources:\n#- ../webhook\n# [CERTMANAGER] note\n#- ../certmanager\n\npatches:\n#- path: manager_webhook_patch.yaml\n#  target:\n#    kind: Deployment\n\n# other\n";
        let webhooks = Webhooks::default();
        let (out, missing) = enable_webhook_sections(text, &webhooks);
        assert_eq!(
            out,
            "resources:\n- ../webhook\n# [CERTMANAGER] note\n- ../certmanager\n\npatches:\n- path: manager_webhook_patch.yaml\n  target:\n    kind: Deployment\n\n# other\n"
        );
        assert_eq!(missing, vec![SERVICE_REPLACEMENTS.first]);
        // Enabled sections are recognised: a second run changes nothing.
        let (again, _) = enable_webhook_sections(&out, &webhooks);
        assert_eq!(again, out);
    }

    #[test]
    fn krb_joins_the_api_crates_dependencies() {
        let text = "[package]\nname = \"x-api\"\n\n[dependencies]\nkube.workspace = true\n\n[lints]\nworkspace = true\n";
        let out = add_krb_dependency(text).unwrap().unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"x-api\"\n\n[dependencies]\nkube.workspace = true\nkrb.workspace = true\n\n[lints]\nworkspace = true\n"
        );
        assert_eq!(add_krb_dependency(&out).unwrap(), None);
    }

    #[test]
    fn conversion_call_breaks_long_chains() {
        assert_eq!(
            conversion_call(&["v2".into()]),
            "mgr.add_conversion(Conversion::<Kind>::new().spoke::<SpokeV2>());"
        );
        assert!(
            conversion_call(&["v2".into(), "v3".into()])
                .contains("\n        .spoke::<SpokeV3>(),\n);")
        );
        let spokes: Vec<String> = ["v1alpha1", "v1beta1", "v2alpha1", "v2"]
            .map(String::from)
            .to_vec();
        assert!(conversion_call(&spokes).starts_with("mgr.add_conversion(\n    Conversion::<Kind>::new()\n        .spoke::<SpokeV1alpha1>()\n"));
    }

    #[test]
    fn setup_call_breaks_long_lines() {
        assert_eq!(
            setup_call("v1", "cronjob"),
            "webhook::v1::cronjob_webhook::setup(&mgr);"
        );
        let long = "a".repeat(63);
        assert!(setup_call("v1", &long).contains("(\n    &mgr,\n);"));
    }
}
