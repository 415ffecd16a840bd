// Copyright The krb authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! The project manager: runs the controllers, serves health probes and metrics,
//! and takes part in leader election when asked to.

use clap::Parser;
use krb::{Manager, ManagerArgs};

use project::controller;
use project::webhook;
// +krb:scaffold:imports

/// Name of the Lease the manager replicas compete for; unique per project and domain.
const LEADER_ELECTION_ID: &str = "80807133.tutorial.kubebuilder.io";

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
    controller::cronjob_controller::setup(&mgr);
    webhook::v1::cronjob_webhook::setup(&mgr);
    // +krb:scaffold:builder
    mgr.run().await?;
    Ok(())
}
