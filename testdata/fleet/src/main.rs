//! The fleet manager: runs the controllers, serves health probes and metrics,
//! and takes part in leader election when asked to.

use clap::Parser;
use krb::{Manager, ManagerArgs};

use fleet::controller;
use fleet::webhook;
// +krb:scaffold:imports

/// Name of the Lease the manager replicas compete for; unique per project and domain.
const LEADER_ELECTION_ID: &str = "9e78c7cd.example.com";

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
    controller::captain_controller::setup(&mgr);
    controller::admiral_controller::setup(&mgr);
    webhook::v1::captain_webhook::setup(&mgr);
    // +krb:scaffold:builder
    mgr.run().await?;
    Ok(())
}
