//! Handing a message to the SMTP server (lettre, on tokio with rustls like the Graph client),
//! and wording what went wrong for an administrator, with the server's own words as detail.

use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::error::AlertError;
use super::messages::Message;
use super::settings::SmtpTls;
use crate::secrets::SmtpPassword;

/// Longer than any healthy server needs, short enough that a wrong port is answered soon.
const TIMEOUT: Duration = Duration::from_secs(20);
/// For the whole conversation: a server that accepts the connection and then stops
/// answering must not hold an alert (or the window's "Send test email") for ever.
pub(super) const DEADLINE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub(super) struct Server {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub credentials: Option<(String, SmtpPassword)>,
}

pub(super) async fn send(
    server: &Server,
    sender: &str,
    recipients: &[String],
    message: &Message,
) -> Result<(), AlertError> {
    let mailbox = |a: &str, bad: fn(String) -> AlertError| {
        a.parse::<lettre::Address>()
            .map(|address| Mailbox::new(None, address))
            .map_err(|_| bad(a.to_owned()))
    };
    let mut email = lettre::Message::builder()
        .from(Mailbox::new(
            Some("UniAsset".to_owned()),
            mailbox(sender, AlertError::InvalidSender)?.email,
        ))
        .subject(&message.subject)
        .header(ContentType::TEXT_PLAIN);
    for r in recipients {
        email = email.to(mailbox(r, AlertError::InvalidRecipient)?);
    }
    let email = email
        .body(message.body.clone())
        .map_err(|e| AlertError::Refused(e.to_string()))?;

    let name = format!("{}:{}", server.host, server.port);
    // An IPv6 literal is named without its brackets to connect and to check a certificate.
    let host = server.host.trim_start_matches('[').trim_end_matches(']');
    let tls_failed = |e: lettre::transport::smtp::Error| AlertError::TlsFailed {
        server: name.clone(),
        detail: chain(&e),
    };
    let tls = match server.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTls => {
            Tls::Required(TlsParameters::new(host.to_owned()).map_err(tls_failed)?)
        }
        SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(host.to_owned()).map_err(tls_failed)?),
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(server.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if let Some((user, password)) = &server.credentials {
        transport =
            transport.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
    }
    let outcome = tokio::time::timeout(DEADLINE, transport.build().send(email))
        .await
        .map_err(|_| AlertError::NoAnswer {
            server: name.clone(),
            seconds: DEADLINE.as_secs(),
        })?;
    outcome.map(|_| ()).map_err(|e| {
        let password = server.credentials.as_ref().map(|(_, p)| p.expose());
        explain(&e, server.tls, &name, password)
    })
}

/// The error and its sources, as one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn explain(
    e: &lettre::transport::smtp::Error,
    mode: SmtpTls,
    server: &str,
    password: Option<&str>,
) -> AlertError {
    // Servers do not echo credentials, but nothing is left to chance.
    let mut detail = chain(e);
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        detail = detail.replace(p, "<redacted>");
    }
    let server = server.to_owned();
    if e.is_client() && detail.contains("STARTTLS") {
        return AlertError::NoStartTls { server };
    }
    if e.is_tls() {
        return AlertError::TlsFailed { server, detail };
    }
    if let Some(code) = e.status() {
        // 530 authentication required, 534/535/538 credentials refused or not acceptable.
        return match u16::from(code) {
            530 | 534 | 535 | 538 | 454 => AlertError::AuthRefused(detail),
            _ => AlertError::Refused(detail),
        };
    }
    let io_kind = io_error(e).map(|io| io.kind());
    use std::io::ErrorKind::*;
    match io_kind {
        // The server answered something that is not TLS (or hung up during the handshake):
        // the mode does not match what the port speaks.
        Some(InvalidData | UnexpectedEof | ConnectionReset) if mode != SmtpTls::None => {
            AlertError::TlsFailed { server, detail }
        }
        _ if e.is_response() && mode == SmtpTls::Tls => AlertError::TlsFailed { server, detail },
        // The system's "(os error 111)" says nothing more to an administrator than this.
        Some(ConnectionRefused) => AlertError::NothingListens { server },
        _ => AlertError::CannotConnect { server, detail },
    }
}

fn io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = s.source();
    }
    None
}
