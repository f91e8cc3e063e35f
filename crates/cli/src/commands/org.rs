use uniasset_core::access::Actor;
use uniasset_core::directory;
use uniasset_core::organization::{self, NewOrganization};
use uniasset_core::plan_change;
use uniasset_core::store::Store;

use super::password_from_stdin;
use crate::args::OrgCommand;
use crate::output::{Done, Failure};

pub fn run(store: &mut Store, cmd: OrgCommand) -> Result<Done, Failure> {
    match cmd {
        OrgCommand::Init(init) => {
            let owner_password = if init.owner_password_stdin {
                Some(password_from_stdin()?)
            } else {
                None
            };
            let setup = NewOrganization {
                name: init.name,
                plan: init.plan,
                owner_email: init.owner_email,
                owner_name: init.owner_name,
                owner_password,
            };
            let org = organization::create(store, &setup, &Actor::CommandLine)?;
            let mut text = format!(
                "Created the organization \"{}\" ({} plan) with Owner {}.",
                org.name,
                org.plan.title(),
                setup.owner_email.trim()
            );
            if setup.owner_password.is_none() {
                text.push_str(&format!(
                    "\nThe Owner has no password yet: set one with `uniasset users set-password {} --password-stdin` before signing in to the app.",
                    setup.owner_email.trim()
                ));
            }
            Ok(Done::new(&org, text))
        }
        OrgCommand::Show => {
            let org = organization::get(store)?;
            let counts = directory::counts(store)?;
            let json = serde_json::json!({
                "name": org.name,
                "plan": org.plan,
                "created_at": org.created_at,
                "users": counts,
                "data_dir": store.data_dir(),
            });
            let text = format!(
                "{}\nPlan:      {}\nUsers:     {} ({} active, {} deactivated)\nCreated:   {}\nData:      {}",
                org.name,
                org.plan.title(),
                counts.all,
                counts.active,
                counts.deactivated,
                org.created_at,
                store.data_dir().display()
            );
            Ok(Done::new(&json, text))
        }
        OrgCommand::Rename { name } => {
            let org = organization::rename(store, &Actor::CommandLine, &name)?;
            let text = format!("The organization is now called \"{}\".", org.name);
            Ok(Done::new(&org, text))
        }
        OrgCommand::Plan { plan } => {
            let changed = plan_change::change_plan(store, &Actor::CommandLine, plan)?;
            Ok(Done::new(&changed, changed.effect.summary.clone()))
        }
    }
}
