//! Command-line flags of a generated manager, named as in controller-runtime's `cmd/main.go`.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    str::FromStr,
};

/// The manager's flags; flatten them into your `clap` parser with `#[command(flatten)]`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
// Keep the doc comment above out of the program's --help; the parser's own `about` belongs there.
#[command(about = None, long_about = None)]
pub struct ManagerArgs {
    /// The address the metrics endpoint (/metrics, plain HTTP) binds to: ":8080" for all
    /// interfaces, "127.0.0.1:8080", "[::1]:8080", or "0" to disable it.
    #[arg(long, value_name = "ADDR", default_value = "0")]
    pub metrics_bind_address: BindAddress,

    /// The address the probe endpoint (/healthz, /readyz) binds to; "0" disables it.
    #[arg(long, value_name = "ADDR", default_value = ":8081")]
    pub health_probe_bind_address: BindAddress,

    /// Enable leader election for the manager: only the replica holding the Lease runs the
    /// controllers, the others wait to take over.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value_t = false,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub leader_elect: bool,

    /// Namespace of the leader election Lease. Defaults to the namespace the pod runs in, else
    /// the current kubeconfig context's namespace.
    #[arg(long, value_name = "NAMESPACE", env = "POD_NAMESPACE")]
    pub leader_election_namespace: Option<String>,

    /// The directory that contains the webhook certificate and key. Defaults to
    /// <temp dir>/k8s-webhook-server/serving-certs, as controller-runtime.
    #[cfg(feature = "webhook")]
    #[arg(long, value_name = "DIR")]
    pub webhook_cert_path: Option<std::path::PathBuf>,

    /// The name of the webhook certificate file in --webhook-cert-path.
    #[cfg(feature = "webhook")]
    #[arg(long, value_name = "FILE", default_value = "tls.crt")]
    pub webhook_cert_name: String,

    /// The name of the webhook key file in --webhook-cert-path.
    #[cfg(feature = "webhook")]
    #[arg(long, value_name = "FILE", default_value = "tls.key")]
    pub webhook_cert_key: String,

    /// The port the webhook server (HTTPS) listens on.
    #[cfg(feature = "webhook")]
    #[arg(long, value_name = "PORT", default_value_t = 9443)]
    pub webhook_port: u16,

    /// If set, HTTP/2 will be enabled for the webhook server. Off by default: HTTP/2 stream
    /// cancellation and rapid reset (CVE-2023-44487, CVE-2023-39325) attack servers through it.
    #[cfg(feature = "webhook")]
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value_t = false,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub enable_http2: bool,

    /// Serve the registered webhooks. ENABLE_WEBHOOKS=false runs the manager without the
    /// webhook server, e.g. outside the cluster without certificates.
    #[cfg(feature = "webhook")]
    #[arg(
        long,
        value_name = "BOOL",
        env = "ENABLE_WEBHOOKS",
        num_args = 0..=1,
        require_equals = true,
        default_value_t = true,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub enable_webhooks: bool,
}

impl Default for ManagerArgs {
    /// The same values as an empty command line.
    fn default() -> Self {
        Self {
            metrics_bind_address: BindAddress::Disabled,
            health_probe_bind_address: BindAddress::Addr(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                8081,
            )),
            leader_elect: false,
            leader_election_namespace: None,
            #[cfg(feature = "webhook")]
            webhook_cert_path: None,
            #[cfg(feature = "webhook")]
            webhook_cert_name: "tls.crt".to_owned(),
            #[cfg(feature = "webhook")]
            webhook_cert_key: "tls.key".to_owned(),
            #[cfg(feature = "webhook")]
            webhook_port: 9443,
            #[cfg(feature = "webhook")]
            enable_http2: false,
            #[cfg(feature = "webhook")]
            enable_webhooks: true,
        }
    }
}

/// A listen address in Go's notation, as controller-runtime accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindAddress {
    /// `"0"`: the server is not started.
    Disabled,
    /// Listen here. `":8080"` means `0.0.0.0:8080`.
    Addr(SocketAddr),
}

impl BindAddress {
    /// The socket address, `None` when disabled.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self {
            BindAddress::Disabled => None,
            BindAddress::Addr(addr) => Some(*addr),
        }
    }
}

impl fmt::Display for BindAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindAddress::Disabled => f.write_str("0"),
            BindAddress::Addr(addr) => addr.fmt(f),
        }
    }
}

/// Why a bind address was rejected; clap prints it after the flag's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a listen address; use \":PORT\", \"IP:PORT\", \"[IPv6]:PORT\" or \"0\" to disable"
)]
pub struct AddressError(String);

impl FromStr for BindAddress {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddressError(s.to_owned());
        if s == "0" {
            return Ok(BindAddress::Disabled);
        }
        if let Some(port) = s.strip_prefix(':') {
            // Go binds ":PORT" to every interface. IPv4's wildcard also works in clusters
            // where IPv6 is disabled, which [::] would not.
            let port = port.parse::<u16>().map_err(|_| err())?;
            return Ok(BindAddress::Addr(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                port,
            )));
        }
        if let Some(port) = s.strip_prefix("localhost:") {
            let port = port.parse::<u16>().map_err(|_| err())?;
            return Ok(BindAddress::Addr(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                port,
            )));
        }
        s.parse::<SocketAddr>()
            .map(BindAddress::Addr)
            .map_err(|_| err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        manager: ManagerArgs,
    }

    /// My operator.
    #[derive(Debug, Parser)]
    struct Documented {
        #[command(flatten)]
        manager: ManagerArgs,
    }

    fn addr(s: &str) -> BindAddress {
        BindAddress::Addr(s.parse().unwrap())
    }

    #[test]
    fn parses_go_style_addresses() {
        assert_eq!("0".parse(), Ok(BindAddress::Disabled));
        assert_eq!(":8080".parse(), Ok(addr("0.0.0.0:8080")));
        assert_eq!(":0".parse(), Ok(addr("0.0.0.0:0")));
        assert_eq!("127.0.0.1:8080".parse(), Ok(addr("127.0.0.1:8080")));
        assert_eq!("[::1]:8080".parse(), Ok(addr("[::1]:8080")));
        assert_eq!("[::]:8443".parse(), Ok(addr("[::]:8443")));
        assert_eq!("localhost:9090".parse(), Ok(addr("127.0.0.1:9090")));
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            ":",
            ":http",
            ":65536",
            "8080",
            "::1:8080",
            "example.com:80",
            "1.2.3.4",
        ] {
            assert_eq!(
                bad.parse::<BindAddress>(),
                Err(AddressError(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn displays_as_parsed() {
        assert_eq!(BindAddress::Disabled.to_string(), "0");
        assert_eq!(addr("[::1]:8080").to_string(), "[::1]:8080");
    }

    #[test]
    fn empty_command_line_gives_controller_runtime_defaults() {
        let cli = Cli::try_parse_from(["manager"]).unwrap();
        let expected = ManagerArgs {
            // The variable may be set where the tests run; it is covered below.
            leader_election_namespace: cli.manager.leader_election_namespace.clone(),
            ..ManagerArgs::default()
        };
        assert_eq!(cli.manager, expected);
        assert_eq!(cli.manager.health_probe_bind_address, addr("0.0.0.0:8081"));
        assert_eq!(cli.manager.metrics_bind_address, BindAddress::Disabled);
    }

    #[test]
    fn parses_all_flags() {
        let cli = Cli::try_parse_from([
            "manager",
            "--metrics-bind-address=:8443",
            "--health-probe-bind-address",
            "127.0.0.1:9440",
            "--leader-elect",
            "--leader-election-namespace=system",
        ])
        .unwrap();
        assert_eq!(cli.manager.metrics_bind_address, addr("0.0.0.0:8443"));
        assert_eq!(
            cli.manager.health_probe_bind_address,
            addr("127.0.0.1:9440")
        );
        assert!(cli.manager.leader_elect);
        assert_eq!(
            cli.manager.leader_election_namespace.as_deref(),
            Some("system")
        );

        let explicit = Cli::try_parse_from(["manager", "--leader-elect=false"]).unwrap();
        assert!(!explicit.manager.leader_elect);
        let explicit = Cli::try_parse_from(["manager", "--leader-elect=true"]).unwrap();
        assert!(explicit.manager.leader_elect);
    }

    #[test]
    fn help_documents_every_flag() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(
            !help.contains("flatten them"),
            "struct docs leaked into\n{help}"
        );
        let documented = Documented::command().render_help().to_string();
        assert!(documented.starts_with("My operator"), "{documented}");
        for needle in [
            "--metrics-bind-address <ADDR>",
            "[default: 0]",
            "--health-probe-bind-address <ADDR>",
            "[default: :8081]",
            "--leader-elect[=<BOOL>]",
            "--leader-election-namespace <NAMESPACE>",
            "[env: POD_NAMESPACE",
        ] {
            assert!(help.contains(needle), "{needle:?} missing from\n{help}");
        }
    }

    #[test]
    fn bad_address_error_names_the_flag() {
        let err = Cli::try_parse_from(["manager", "--metrics-bind-address=8080"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--metrics-bind-address"), "{text}");
        assert!(text.contains(r#""8080" is not a listen address"#), "{text}");
    }
}
