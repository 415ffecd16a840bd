//! `krb create api` and `krb create webhook`

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context as _;
use clap::{ArgAction, Args, Subcommand};
use krb_scaffold::api::{self, ApiOptions};
use krb_scaffold::webhook::{self, WebhookOptions};

#[derive(Debug, Subcommand)]
pub enum CreateCommand {
    /// Scaffold a Kubernetes API: its types, its controller and their config/ entries.
    Api(ApiArgs),
    /// Scaffold a kind's webhooks: a defaulter, a validator, their registration in main and
    /// their config/ entries (webhook service, cert-manager certificate).
    Webhook(WebhookArgs),
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// Group of the API, e.g. `batch`; the API must exist (`krb create api`).
    #[arg(long)]
    group: String,
    /// Version of the API, e.g. `v1`.
    #[arg(long)]
    version: String,
    /// Kind of the API, e.g. `CronJob`.
    #[arg(long)]
    kind: String,
    /// Scaffold a defaulting (mutating) webhook.
    #[arg(long)]
    defaulting: bool,
    /// Scaffold a validating webhook.
    #[arg(long)]
    programmatic_validation: bool,
    /// Scaffold a conversion webhook: --version is the hub, --spoke the other versions.
    #[arg(long)]
    conversion: bool,
    /// Spoke versions of the conversion webhook, e.g. `v2,v3`; they must exist.
    #[arg(long, value_delimiter = ',')]
    spoke: Vec<String>,
    /// Serve the defaulting webhook at this path instead of `/mutate-<group>-<version>-<kind>`.
    #[arg(long)]
    defaulting_path: Option<String>,
    /// Serve the validating webhook at this path instead of `/validate-<group>-<version>-<kind>`.
    #[arg(long)]
    validation_path: Option<String>,
    /// Scaffold the webhook file again, overwriting it.
    #[arg(long)]
    force: bool,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// Resource group, e.g. `batch` (becomes `batch.<domain>`).
    #[arg(long)]
    group: String,
    /// Resource version, e.g. `v1`, `v1beta1`.
    #[arg(long)]
    version: String,
    /// Resource kind, UpperCamelCase, e.g. `CronJob`.
    #[arg(long)]
    kind: String,
    /// Plural resource name [default: the English plural of the lowercased kind]
    #[arg(long)]
    plural: Option<String>,
    /// Whether the resource is namespaced; `--namespaced=false` makes it cluster-scoped.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_value_t = true, default_missing_value = "true")]
    namespaced: bool,
    /// Scaffold the types; asked when omitted and stdin is a terminal [default: true]
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    resource: Option<bool>,
    /// Scaffold the controller; asked when omitted and stdin is a terminal [default: true]
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    controller: Option<bool>,
    /// Scaffold the kind's files again, overwriting them.
    #[arg(long)]
    force: bool,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(cmd: CreateCommand) -> anyhow::Result<()> {
    match cmd {
        CreateCommand::Api(args) => api(args),
        CreateCommand::Webhook(args) => webhook(args),
    }
}

fn webhook(args: WebhookArgs) -> anyhow::Result<()> {
    let root = std::env::current_dir().context("reading the current directory")?;
    let opts = WebhookOptions {
        group: args.group,
        version: args.version,
        kind: args.kind,
        defaulting: args.defaulting,
        validation: args.programmatic_validation,
        conversion: args.conversion,
        spokes: args.spoke,
        defaulting_path: args.defaulting_path,
        validation_path: args.validation_path,
        force: args.force,
    };
    let prepared = webhook::plan(&root, &opts)?;
    crate::output::apply(&root, prepared, args.dry_run)
}

fn api(args: ApiArgs) -> anyhow::Result<()> {
    let root = std::env::current_dir().context("reading the current directory")?;
    let mut opts = ApiOptions {
        group: args.group,
        version: args.version,
        kind: args.kind,
        plural: args.plural,
        namespaced: args.namespaced,
        resource: true,
        controller: true,
        force: args.force,
    };
    // Bad names or a missing project fail before the user answers any question.
    let (config, _) = api::precheck(&root, &opts)?;
    opts.resource = decide(args.resource, "Create Resource [y/n]", "--resource")?;
    // One controller serves every version of a kind: a new version gets none unless asked.
    let other = config
        .resources
        .iter()
        .find(|r| r.kind == opts.kind && r.version != opts.version && r.controller);
    opts.controller = match (args.controller, other) {
        (None, Some(other)) => {
            eprintln!(
                "{} already has a controller (scaffolded with {}): not scaffolding another",
                opts.kind, other.version
            );
            false
        }
        (flag, _) => decide(flag, "Create Controller [y/n]", "--controller")?,
    };
    let prepared = api::plan(&root, &opts)?;
    crate::output::apply(&root, prepared, args.dry_run)
}

/// A flag's value, or the user's answer at a terminal, or yes (said out loud) without one.
fn decide(flag: Option<bool>, question: &str, name: &str) -> anyhow::Result<bool> {
    if let Some(v) = flag {
        return Ok(v);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        eprintln!("{name} not given and stdin is not a terminal: assuming {name}=true");
        return Ok(true);
    }
    let mut lines = stdin.lock().lines();
    loop {
        println!("{question}");
        std::io::stdout().flush().ok();
        let Some(line) = lines.next() else {
            anyhow::bail!("no answer to {question:?}; pass {name}=true or {name}=false");
        };
        match line
            .context("reading the answer")?
            .trim()
            .to_lowercase()
            .as_str()
        {
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            other => eprintln!("invalid input {other:?}, should be [y/n]"),
        }
    }
}
