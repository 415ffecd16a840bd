{{ boilerplate }}//! The {{ project.name }} manager: runs the controllers, serves health probes and metrics,
//! and takes part in leader election when asked to.

use clap::Parser;
use krb::{Manager, ManagerArgs};

// +krb:scaffold:imports

/// Name of the Lease the manager replicas compete for; unique per project and domain.
{%- set line = 'const LEADER_ELECTION_ID: &str = "' ~ project.leader_election_id ~ '";' %}
{%- if line | length <= 100 %}
{{ line }}
{%- else %}
const LEADER_ELECTION_ID: &str =
    "{{ project.leader_election_id }}";
{%- endif %}

#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    manager: ManagerArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    krb::logging::init();
    let args = Args::parse();
    let client = kube::Client::try_default().await?;
    let mgr = Manager::new(client, args.manager, LEADER_ELECTION_ID);
    // +krb:scaffold:builder
    mgr.run().await?;
    Ok(())
}
