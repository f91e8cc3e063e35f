//! `uniasset assets …`: the asset register, assets named by tag and people by email.

use serde::Serialize;
use uniasset_core::access::Actor;
use uniasset_core::assets::{self, Asset, AssetEdit, AssetQuery, AssetStatus, Holding, NewAsset};
use uniasset_core::directory::{self, UserStatus};
use uniasset_core::store::Store;

use crate::args::{AssetAdd, AssetEditArgs, AssetsCommand};
use crate::output::{self, Done, Failure};

/// An asset as scripts read it: the holder by email, not by an internal id.
#[derive(Serialize)]
struct AssetRow<'a> {
    tag: &'a str,
    name: &'a str,
    category: Option<&'a str>,
    serial: Option<&'a str>,
    status: AssetStatus,
    assigned_to: Option<&'a str>,
    assigned_to_name: Option<&'a str>,
    assigned_to_status: Option<UserStatus>,
}

impl<'a> From<&'a Asset> for AssetRow<'a> {
    fn from(a: &'a Asset) -> Self {
        AssetRow {
            tag: &a.tag,
            name: &a.name,
            category: a.category.as_deref(),
            serial: a.serial.as_deref(),
            status: a.status,
            assigned_to: a.assigned_to_email.as_deref(),
            assigned_to_name: a.assigned_to_name.as_deref(),
            assigned_to_status: a.assigned_to_status,
        }
    }
}

fn done(asset: &Asset, text: String) -> Done {
    Done::new(&AssetRow::from(asset), text)
}

pub fn run(store: &mut Store, cmd: AssetsCommand) -> Result<Done, Failure> {
    let me = Actor::CommandLine;
    match cmd {
        AssetsCommand::Add(add) => add_asset(store, &me, add),
        AssetsCommand::Assign { tag, email, note } => {
            let id = assets::find_by_tag(store, &tag)?.id;
            let user = directory::find_by_email(store, &email)?;
            let asset = assets::assign(store, &me, id, user.id, note.as_deref())?;
            let text = format!("Assigned {} to {}.", asset.tag, user.email);
            Ok(done(&asset, text))
        }
        AssetsCommand::Checkin { tag, note } => {
            let before = assets::find_by_tag(store, &tag)?;
            let asset = assets::check_in(store, &me, before.id, note.as_deref())?;
            let text = format!(
                "Checked {} in from {}; it is in stock.",
                asset.tag,
                before.assigned_to_email.unwrap_or_default()
            );
            Ok(done(&asset, text))
        }
        AssetsCommand::Lost { tag, note } => {
            let id = assets::find_by_tag(store, &tag)?.id;
            let asset = assets::mark_lost(store, &me, id, note.as_deref())?;
            Ok(done(&asset, format!("Marked {} lost.", asset.tag)))
        }
        AssetsCommand::Edit(args) => edit(store, &me, args),
        AssetsCommand::List {
            assigned_to,
            status,
        } => {
            let assigned_to = assigned_to
                .map(|email| directory::find_by_email(store, &email).map(|u| u.id))
                .transpose()?;
            let query = AssetQuery {
                assigned_to,
                status,
                search: None,
            };
            let list = assets::list_assets(store, &query)?;
            let rows: Vec<AssetRow> = list.iter().map(AssetRow::from).collect();
            Ok(Done::new(&rows, table(&list)))
        }
        AssetsCommand::History { tag } => {
            let asset = assets::find_by_tag(store, &tag)?;
            let history = assets::history(store, asset.id)?;
            let text = history_table(&asset, &history);
            Ok(Done::new(&history, text))
        }
        AssetsCommand::Due { tag, day } => {
            let id = assets::find_by_tag(store, &tag)?.id;
            let asset = assets::set_return_due(store, &me, id, &day)?;
            let text = format!(
                "{} is due back on {}.",
                asset.tag,
                asset.return_due.as_deref().unwrap_or_default()
            );
            Ok(done(&asset, text))
        }
        AssetsCommand::Writeoff { tag, reason, note } => {
            let id = assets::find_by_tag(store, &tag)?.id;
            let asset = assets::write_off(store, &me, id, reason, note.as_deref())?;
            let text = format!("Wrote {} off ({}).", asset.tag, reason.label());
            Ok(done(&asset, text))
        }
        AssetsCommand::ReturnDays { days } => {
            let days = match days {
                Some(days) => assets::set_return_days(store, &me, days)?,
                None => assets::return_days(store)?,
            };
            let text =
                format!("Leavers' assets are due back {days} days after they are deactivated.");
            Ok(Done::new(&serde_json::json!({ "return_days": days }), text))
        }
    }
}

fn add_asset(store: &mut Store, me: &Actor, add: AssetAdd) -> Result<Done, Failure> {
    let holder = add
        .assign
        .map(|email| directory::find_by_email(store, &email))
        .transpose()?;
    let new = NewAsset {
        tag: add.tag,
        name: add.name,
        category: add.category,
        serial: add.serial,
    };
    let asset = assets::add_asset(store, me, &new, holder.map(|u| u.id))?;
    let text = match &asset.assigned_to_email {
        Some(email) => format!("Added {} ({}), assigned to {email}.", asset.tag, asset.name),
        None => format!("Added {} ({}), in stock.", asset.tag, asset.name),
    };
    Ok(done(&asset, text))
}

/// Overlays the flags given on the asset as it is, so what is not mentioned stays.
fn edit(store: &mut Store, me: &Actor, args: AssetEditArgs) -> Result<Done, Failure> {
    let before = assets::find_by_tag(store, &args.tag)?;
    let edit = AssetEdit {
        name: args.name.unwrap_or_else(|| before.name.clone()),
        category: args.category.or_else(|| before.category.clone()),
        serial: args.serial.or_else(|| before.serial.clone()),
        status: args.status.unwrap_or(before.status),
    };
    let after = assets::edit_asset(store, me, before.id, &edit)?;
    let text = if after == before {
        format!("Nothing changed for {}.", after.tag)
    } else {
        format!("Changed {}.", after.tag)
    };
    Ok(done(&after, text))
}

fn table(list: &[Asset]) -> String {
    if list.is_empty() {
        return "No assets.".to_owned();
    }
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|a| {
            let holder = match (&a.assigned_to_email, a.assigned_to_status) {
                (Some(email), Some(UserStatus::Deactivated)) => format!("{email} (deactivated)"),
                (Some(email), _) => email.clone(),
                (None, _) => String::new(),
            };
            [
                a.tag.clone(),
                a.name.clone(),
                a.category.clone().unwrap_or_default(),
                a.status.label().to_owned(),
                holder,
            ]
        })
        .collect();
    output::table(["TAG", "NAME", "CATEGORY", "STATUS", "HELD BY"], &rows)
}

fn history_table(asset: &Asset, history: &[Holding]) -> String {
    if history.is_empty() {
        return format!("Nobody has held {} yet.", asset.tag);
    }
    let rows: Vec<[String; 4]> = history
        .iter()
        .map(|h| {
            let ended = match (&h.ended_at, h.outcome) {
                (Some(at), Some(outcome)) => format!("{at} ({outcome})"),
                _ => "still holds it".to_owned(),
            };
            let notes = [&h.assign_note, &h.end_note]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ");
            [h.user_email.clone(), h.assigned_at.clone(), ended, notes]
        })
        .collect();
    output::table(["HELD BY", "FROM", "UNTIL", "NOTES"], &rows)
}
