use uniasset_core::access::Actor;
use uniasset_core::directory::{self, reason_words, NewUser, User, UserEdit, UserQuery};
use uniasset_core::store::Store;
use uniasset_core::{entra, sessions, sync};

use super::{block_on, password_from_stdin};
use crate::args::{UserEditArgs, UsersCommand};
use crate::output::{self, Done, Failure};

pub fn run(store: &mut Store, cmd: UsersCommand) -> Result<Done, Failure> {
    let me = Actor::CommandLine;
    match cmd {
        UsersCommand::SetPassword { email, .. } => {
            let password = password_from_stdin()?;
            sessions::set_password(store, &me, &email, &password)?;
            let user = directory::find_by_email(store, &email)?;
            Ok(Done::new(
                &user,
                format!("Set the password of {}.", user.email),
            ))
        }
        UsersCommand::Add(add) => {
            let new = NewUser {
                email: add.email,
                display_name: add.name,
                role: add.role,
                sign_in: add.sign_in,
                entra_object_id: add.entra_id,
            };
            let user = directory::add_user(store, &me, &new, None)?;
            let text = format!(
                "Added {} ({}, {} sign-in).",
                user.email, user.role, user.sign_in
            );
            Ok(Done::new(&user, text))
        }
        UsersCommand::Import { file } => {
            let summary = directory::import_file(store, &me, &file)?;
            let text = format!(
                "Imported {} user(s) from {}.",
                summary.imported,
                file.display()
            );
            Ok(Done::new(&summary, text))
        }
        UsersCommand::List { status } => {
            let page = directory::list_users(
                store,
                &UserQuery {
                    status,
                    search: None,
                    ..Default::default()
                },
            )?;
            let text = table(&page.users);
            Ok(Done::new(&page.users, text))
        }
        UsersCommand::Deactivate { email } => {
            let id = directory::find_by_email(store, &email)?.id;
            let user = block_on(entra::deactivate(store, &me, id))?;
            let text = format!(
                "Deactivated {}. Their assets and history are kept.",
                user.email
            );
            Ok(Done::new(&user, text))
        }
        UsersCommand::Offboard {
            email,
            dry_run,
            anyway,
        } => {
            let id = directory::find_by_email(store, &email)?.id;
            let choice = entra::OffboardChoice { dry_run, anyway };
            let done = block_on(entra::offboard(store, &me, id, choice))?;
            Ok(Done::new(&done, done.summary.clone()))
        }
        UsersCommand::Manager {
            email,
            manager,
            from_entra,
        } => {
            let id = directory::find_by_email(store, &email)?.id;
            let found = match manager {
                Some(manager) if !from_entra => {
                    Some(directory::set_manager(store, &me, id, &manager)?)
                }
                _ => block_on(entra::manager_from_entra(store, &me, id))?,
            };
            let text = match &found {
                Some(m) => format!("The manager of {email} is {} <{}>.", m.name, m.email),
                None => format!("{email} has no manager in Microsoft Entra ID."),
            };
            Ok(Done::new(&found, text))
        }
        UsersCommand::Check { email } => {
            let id = directory::find_by_email(store, &email)?.id;
            let record = block_on(sync::check_person(store, &me, id));
            super::entra::send_owed_alerts(store);
            super::entra::finished(record?)
        }
        UsersCommand::Reactivate { email, force } => {
            let id = directory::find_by_email(store, &email)?.id;
            let user = block_on(entra::reactivate(store, &me, id, force)).map_err(|e| {
                let mut failure = Failure::from(e);
                if failure.report.code == "reactivation_needs_confirmation" {
                    failure
                        .report
                        .message
                        .push_str(" Add --force to reactivate anyway.");
                }
                failure
            })?;
            Ok(Done::new(&user, format!("Reactivated {}.", user.email)))
        }
        UsersCommand::Protect { email } => protect(store, &me, &email, true),
        UsersCommand::Unprotect { email } => protect(store, &me, &email, false),
        UsersCommand::Edit(args) => edit(store, &me, args),
    }
}

/// Overlays the flags given on the user as they are, so what is not mentioned stays.
fn edit(store: &mut Store, me: &Actor, args: UserEditArgs) -> Result<Done, Failure> {
    let before = directory::find_by_email(store, &args.email)?;
    let edit = UserEdit {
        display_name: args.name.unwrap_or_else(|| before.display_name.clone()),
        role: args.role.unwrap_or(before.role),
        sign_in: args.sign_in.unwrap_or(before.sign_in),
        entra_object_id: args.entra_id.or_else(|| before.entra_object_id.clone()),
    };
    let after = directory::edit_user(store, me, before.id, &edit)?;
    let changed = directory::changes(&before, &after);
    let text = if changed.is_empty() {
        format!("Nothing changed for {}.", after.email)
    } else {
        format!("Changed {}: {}.", after.email, changed.join("; "))
    };
    Ok(Done::new(&after, text))
}

fn protect(store: &mut Store, me: &Actor, email: &str, on: bool) -> Result<Done, Failure> {
    let id = directory::find_by_email(store, email)?.id;
    let user = directory::set_protected(store, me, id, on)?;
    let text = if on {
        format!("{} is never deactivated automatically now.", user.email)
    } else {
        format!("The Entra ID sync may deactivate {} again.", user.email)
    };
    Ok(Done::new(&user, text))
}

fn table(users: &[User]) -> String {
    if users.is_empty() {
        return "No users.".to_owned();
    }
    let rows: Vec<[String; 5]> = users
        .iter()
        .map(|u| {
            let mut status = match u.deactivation_reason {
                Some(reason) => format!("deactivated ({})", reason_words(reason)),
                None => u.status.to_string(),
            };
            if u.protected {
                status.push_str(", protected");
            }
            [
                u.email.clone(),
                u.display_name.clone(),
                u.role.to_string(),
                u.sign_in.to_string(),
                status,
            ]
        })
        .collect();
    output::table(["EMAIL", "NAME", "ROLE", "SIGN-IN", "STATUS"], &rows)
}
