//! Proxies. A test binary of its own: it sets the proxy environment variables, which are
//! process-wide and would reach every other test in the same process.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use graph_sim::{Simulator, TenantConfig};
use uniasset_core::entra::cloud::{Cloud, Endpoints};
use uniasset_core::graph::{ClientOptions, GraphClient};
use uniasset_core::secrets::ClientSecret;

fn options() -> ClientOptions {
    ClientOptions {
        max_attempts: 0,
        min_backoff: Duration::from_millis(1),
        request_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

#[test]
fn loopback_http_never_goes_through_a_proxy_while_https_does() {
    // Nothing listens here: any request sent through it fails.
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // A proxy that only reports the first line of each request it gets.
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_address = proxy.local_addr().unwrap();
    let (first_lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in proxy.incoming().flatten() {
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            let _ = first_lines.send(line);
        }
    });
    // Set before any thread that could read the environment is started.
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(name, format!("http://{dead}"));
    }
    for name in ["HTTPS_PROXY", "https_proxy"] {
        std::env::set_var(name, format!("http://{proxy_address}"));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = Simulator::start(TenantConfig::default()).unwrap();
        sim.add_user("adele@contoso.onmicrosoft.com", None, true);
        let secret = || ClientSecret::new(sim.client_secret());

        let proxied = reqwest::Client::new()
            .get(format!("{}/v1.0/users", sim.base_url()))
            .send()
            .await;
        assert!(
            proxied.is_err(),
            "the proxy variables are in force for an ordinary client"
        );

        let endpoints = Cloud::Custom
            .endpoints(Some(&sim.base_url()), Some(&sim.base_url()))
            .unwrap();
        let local = GraphClient::new(
            endpoints,
            &sim.tenant_id(),
            &sim.client_id(),
            secret(),
            options(),
        )
        .unwrap();
        local.test_connection().await.unwrap();
        assert_eq!(sim.counts().token, 1);

        let remote = GraphClient::new(
            Endpoints {
                login_url: "https://login.example.test".into(),
                graph_url: "https://graph.example.test".into(),
            },
            &sim.tenant_id(),
            &sim.client_id(),
            secret(),
            options(),
        )
        .unwrap();
        assert!(remote.test_connection().await.is_err());
        let line = received.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            line.starts_with("CONNECT login.example.test:443 "),
            "https goes through HTTPS_PROXY: {line:?}"
        );
    });
}
