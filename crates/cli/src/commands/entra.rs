use uniasset_core::access::Actor;
use uniasset_core::alerts;
use uniasset_core::directory::reason_words;
use uniasset_core::entra::{self, ConnectionInput, DeviceCodePrompt, ProvisionReport, SetupTarget};
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, LineOutcome, RunRecord, RunResult, SyncRequest, Trigger};
use uniasset_core::text;

use super::{block_on, from_stdin};
use crate::args::{CloudArgs, EntraCommand, EntraConnect};
use crate::output::{Done, Failure};

pub fn run(store: &mut Store, cmd: EntraCommand) -> Result<Done, Failure> {
    let me = Actor::CommandLine;
    match cmd {
        EntraCommand::Connect(args) => {
            let secret = ClientSecret::new(from_stdin("client secret")?);
            let input = connection_input(args);
            let connection = block_on(entra::connect(store, &me, &input, &secret))?;
            let text = format!(
                "Connected to tenant {} (app {}, {} cloud). The client secret is in the system keychain.",
                connection.tenant, connection.client_id, connection.cloud
            );
            Ok(Done::new(&connection, text))
        }
        EntraCommand::Setup(args) => {
            let target = setup_target(args);
            let connection = block_on(async {
                let (prompt, sign_in) = entra::begin_setup(store, &me, &target).await?;
                show(&prompt);
                entra::finish_setup(store, &me, sign_in).await
            })?;
            let text = format!(
                "Set up: UniAsset registered its app (client ID {}) in tenant {} with User.Read.All, and keeps its secret, valid until {}, in the system keychain. The connection works.",
                connection.client_id,
                connection.tenant,
                connection.secret_expires_on.as_deref().unwrap_or("unknown")
            );
            Ok(Done::new(&connection, text))
        }
        EntraCommand::RenewSecret => {
            let renewal = block_on(async {
                let (prompt, sign_in) = entra::begin_renewal(store, &me).await?;
                show(&prompt);
                entra::finish_renewal(store, &me, sign_in).await
            })?;
            let text = format!(
                "Renewed: UniAsset now uses a new client secret, valid until {}. {}",
                renewal.expires_on, renewal.old_secret
            );
            Ok(Done::new(&renewal, text))
        }
        EntraCommand::Grant { feature } => {
            let feature: entra::Feature =
                feature
                    .parse()
                    .map_err(|e: uniasset_core::text_enum::UnknownValue| {
                        Failure::usage(e.to_string())
                    })?;
            let granted = block_on(async {
                let (prompt, sign_in) = entra::begin_grant(store, &me).await?;
                show(&prompt);
                entra::finish_grant(store, &me, sign_in, feature).await
            })?;
            let text = format!(
                "{} granted UniAsset {}.",
                granted.granted_by,
                feature.roles().join(" and ")
            );
            Ok(Done::new(&granted, text))
        }
        EntraCommand::Test => {
            block_on(entra::test_saved(store))?;
            let settings = entra::settings(store)?;
            let mut text = "The connection works: UniAsset got a token and read a user.".to_owned();
            if let Some(warning) = &settings.secret_warning {
                text.push_str(&format!("\nWarning: {warning}"));
            }
            Ok(Done::new(
                &serde_json::json!({ "ok": true, "secret_warning": settings.secret_warning }),
                text,
            ))
        }
        EntraCommand::RunDeadline { minutes } => {
            let settings = entra::set_run_deadline(store, &me, minutes)?;
            let text = format!(
                "A run that has not finished after {} minutes now ends as failed and deactivates nobody.",
                settings.run_deadline_minutes
            );
            Ok(Done::new(&settings, text))
        }
        EntraCommand::CheckInterval { every } => {
            let settings = entra::set_check_interval(store, &me, every.0)?;
            let text = match settings.check_every_minutes {
                Some(m) => format!(
                    "While the UniAsset desktop app runs, it also checks Microsoft Entra ID for changes every {m} minutes (when auto-deprovision is on). A check that finds nothing new stores no run."
                ),
                None => "Frequent checks are off: only the nightly run at 03:00 UTC checks Microsoft Entra ID.".to_owned(),
            };
            Ok(Done::new(&settings, text))
        }
        EntraCommand::AutoDeprovision { state } => {
            let settings = entra::set_auto_deprovision(store, &me, state == "on")?;
            let text = if settings.auto_deprovision {
                "Auto-deprovision is on. The first automatic run is at the next 03:00 UTC window."
                    .to_owned()
            } else {
                "Auto-deprovision is off. No user was reactivated; future automatic runs are stopped.".to_owned()
            };
            Ok(Done::new(&settings, text))
        }
        EntraCommand::EndSessions { state } => {
            let settings = entra::set_end_sessions(store, &me, state == "on")?;
            let text = match (&settings.end_sessions_since, &settings.end_sessions_blocked) {
                (None, _) => "UniAsset no longer ends leavers' Microsoft sessions.".to_owned(),
                (Some(_), Some(blocked)) => format!("Ending sessions is on. {blocked}"),
                (Some(_), None) => "Ending sessions is on: from now on, each leaver's Microsoft sign-in sessions are ended when they are deactivated.".to_owned(),
            };
            Ok(Done::new(&settings, text))
        }
        EntraCommand::Sync { dry_run } => {
            let request = SyncRequest {
                trigger: Trigger::Cli,
                dry_run,
                deadline: None,
            };
            let record = block_on(sync::run_sync(store, &me, request));
            // A dry run stores nothing and changes nothing, an email's state included (R-S9).
            if !dry_run {
                send_owed_alerts(store);
            }
            finished(record?)
        }
        EntraCommand::Runs { run: Some(id) } => {
            let record = sync::run_details(store, &me, id)?;
            let text = describe(&record);
            Ok(Done::new(&record, text))
        }
        EntraCommand::Runs { run: None } => {
            let runs = sync::runs(store, 50)?;
            let text = if runs.is_empty() {
                "No sync has run yet.".to_owned()
            } else {
                runs.iter().map(summary).collect::<Vec<_>>().join("\n")
            };
            Ok(Done::new(&runs, text))
        }
        EntraCommand::ApplyHeld { run } => {
            let record = block_on(sync::apply_held(store, &me, run, Trigger::Cli));
            send_owed_alerts(store);
            finished(record?)
        }
        EntraCommand::DismissHeld { run } => {
            sync::dismiss_held(store, &me, run)?;
            let text = format!("Dismissed held run #{run}: nobody was deactivated by it.");
            Ok(Done::new(&serde_json::json!({ "dismissed": run }), text))
        }
        EntraCommand::Match => {
            let report = block_on(entra::match_accounts(store, &me))?;
            let mut text = format!("Linked {} user(s).", report.matched.len());
            for m in &report.matched {
                text.push_str(&format!(
                    "\n  linked    {} → {}",
                    m.email, m.entra_object_id
                ));
            }
            for u in &report.unmatched {
                text.push_str(&format!("\n  not found {}: {}", u.email, u.reason));
            }
            Ok(Done::new(&report, text))
        }
        EntraCommand::Provision { dry_run } => {
            let report = block_on(entra::provision(store, &me, dry_run))?;
            let text = provisioned(&report, dry_run);
            Ok(Done::new(&report, text))
        }
        EntraCommand::AutoAdd { state } => {
            entra::set_auto_add_users(store, &me, state == "on")?;
            let settings = entra::settings(store)?;
            let text = if settings.auto_add_new_users {
                "New Entra users are added automatically: each sync run adds enabled member accounts created in Entra from now on, as Members."
            } else {
                "New Entra users are no longer added automatically. Nobody was removed."
            };
            Ok(Done::new(&settings, text))
        }
        EntraCommand::Disconnect => {
            entra::disconnect(store, &me)?;
            let text = "Disconnected: the client secret was removed from the keychain and auto-deprovision is off.";
            Ok(Done::new(
                &serde_json::json!({ "disconnected": true }),
                text,
            ))
        }
    }
}

/// Sends the email alerts owed for stored runs (R-M2): this run's, and any that an earlier
/// process could not send. Called whatever the sync's outcome, and never its failure: a
/// failed send is said on standard error and the email stays owed for the next process.
pub(super) fn send_owed_alerts(store: &mut Store) {
    match block_on(alerts::send_owed(store)) {
        Ok(attempts) => {
            for failed in attempts.iter().filter(|a| !a.ok()) {
                eprintln!(
                    "uniasset: the email alert \"{}\" could not be sent: {} It will be tried again by the desktop app or the next `uniasset entra sync`.",
                    text::replace_controls(&failed.subject),
                    text::replace_controls(failed.error.as_deref().unwrap_or_default())
                );
            }
        }
        Err(e) => eprintln!(
            "uniasset: the email alerts owed could not be sent: {}",
            text::replace_controls(&e.to_string())
        ),
    }
}

/// The sign-in instructions go to standard error, so standard output stays the result alone.
fn show(prompt: &DeviceCodePrompt) {
    eprintln!("{}", prompt.message);
    eprintln!("Code: {}", prompt.user_code);
    eprintln!(
        "Waiting for the sign-in (the code expires at {})…",
        prompt.expires_at
    );
}

fn setup_target(args: CloudArgs) -> SetupTarget {
    SetupTarget {
        cloud: args.cloud(),
        login_url: args.login_url,
        graph_url: args.graph_url,
    }
}

fn connection_input(args: EntraConnect) -> ConnectionInput {
    ConnectionInput {
        tenant: args.tenant,
        client_id: args.client_id,
        cloud: args.cloud.cloud(),
        login_url: args.cloud.login_url,
        graph_url: args.cloud.graph_url,
        secret_expires_on: args.secret_expires,
    }
}

/// A run that failed or had errors exits 1, so a script never mistakes it for success.
pub(super) fn finished(record: RunRecord) -> Result<Done, Failure> {
    let text = describe(&record);
    let done = Done::new(&record, text);
    match record.result {
        RunResult::Failed | RunResult::CompletedWithErrors => {
            Err(Failure::with_output(done, "sync_failed"))
        }
        _ => Ok(done),
    }
}

/// Who was added, linked and left alone, one person a line.
fn provisioned(report: &ProvisionReport, dry_run: bool) -> String {
    let (add, link) = if dry_run {
        ("would add", "would link")
    } else {
        ("added", "linked")
    };
    let mut text = format!(
        "{}{} {}, {} {}, {} left alone.",
        if dry_run {
            "Dry run, nothing changed: "
        } else {
            ""
        },
        add,
        report.added.len(),
        link,
        report.linked.len(),
        report.left_alone.len()
    );
    for u in &report.added {
        text.push_str(&format!("\n  {add:<12} {} <{}>", u.display_name, u.email));
    }
    for u in &report.linked {
        text.push_str(&format!(
            "\n  {link:<12} {} → {}",
            u.email,
            u.entra_object_id.as_deref().unwrap_or_default()
        ));
    }
    for l in &report.left_alone {
        text.push_str(&format!(
            "\n  {:<12} {}: {}",
            "left alone", l.email, l.reason
        ));
    }
    text
}

fn summary(r: &RunRecord) -> String {
    let id =
        r.id.map(|i| format!("#{i}"))
            .unwrap_or_else(|| "dry run".into());
    format!(
        "{id:<8} {:<20} {:<10} checked {:<6} {}",
        r.started_at, r.trigger, r.counts.checked, r.headline
    )
}

fn describe(r: &RunRecord) -> String {
    let mut text = summary(r);
    let c = r.counts;
    text.push_str(&format!(
        "\n  found disabled {}, deleted {}; {} Graph requests",
        c.disabled_found, c.deleted_found, r.graph_requests
    ));
    if let Some(e) = &r.error {
        text.push_str(&format!("\n  error: {e}"));
    }
    if r.result == RunResult::HeldForReview && r.id.is_some() {
        text.push_str(&format!(
            "\n  Held for review: nobody was deactivated. Apply with `uniasset entra apply-held {}` or dismiss with `uniasset entra dismiss-held {}`.",
            r.id.unwrap_or_default(),
            r.id.unwrap_or_default()
        ));
    }
    for l in &r.lines {
        let what = match l.outcome {
            LineOutcome::Deactivated => "deactivated",
            LineOutcome::WouldDeactivate => "would deactivate",
            LineOutcome::Held => "held",
            LineOutcome::SkippedLastOwner => "skipped (last Owner)",
            LineOutcome::SkippedProtected => "skipped (protected)",
            LineOutcome::OtherTenant => "linked to another tenant",
            LineOutcome::EnabledAgain => "enabled again in Entra",
            LineOutcome::Error => "error",
            LineOutcome::Added => "added from Entra",
            LineOutcome::Linked => "linked to Entra",
            LineOutcome::WouldAdd => "would add from Entra",
            LineOutcome::WouldLink => "would link to Entra",
        };
        let why = l
            .reason
            .map(|r| format!(" ({})", reason_words(r)))
            .unwrap_or_default();
        let detail = if l.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", l.detail)
        };
        text.push_str(&format!("\n  {what:<22} {}{why}{detail}", l.email));
    }
    text
}
