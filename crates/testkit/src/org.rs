//! Northwind Traders in a real SQLite file in a fresh directory, and the people in it.

use tempfile::TempDir;
use uniasset_core::access::{Actor, Person};
use uniasset_core::directory::{self, NewUser, Role, SignInMethod, User};
use uniasset_core::organization::{self, NewOrganization, Plan};
use uniasset_core::password::Password;
use uniasset_core::store::Store;

pub const OWNER_EMAIL: &str = "olivia@northwind.example";
pub const OWNER_PASSWORD: &str = "plum orchard lantern 42";
pub const ADMIN_EMAIL: &str = "adam@northwind.example";
pub const MEMBER_EMAIL: &str = "mia@northwind.example";

pub struct Org {
    pub dir: TempDir,
    pub store: Store,
}

pub fn empty_store() -> Org {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    Org { dir, store }
}

pub fn org(plan: Plan) -> Org {
    let mut org = empty_store();
    create_org(&mut org.store, plan);
    org
}

/// Northwind with its Owner, an Admin (Adam) and a Member (Mia), all password users.
pub fn team(plan: Plan) -> Org {
    let mut org = org(plan);
    org.add(ADMIN_EMAIL, Role::Admin, SignInMethod::Password);
    org.add(MEMBER_EMAIL, Role::Member, SignInMethod::Password);
    org
}

/// Northwind Traders and its Owner, in an open store.
pub fn create_org(store: &mut Store, plan: Plan) {
    organization::create(
        store,
        &NewOrganization {
            name: "Northwind Traders".into(),
            plan,
            owner_email: OWNER_EMAIL.into(),
            owner_name: "Olivia Owner".into(),
            owner_password: Some(Password::new(OWNER_PASSWORD)),
        },
        &Actor::FirstRunSetup,
    )
    .unwrap();
}

pub fn owner_of(store: &Store) -> Actor {
    person(&directory::find_by_email(store, OWNER_EMAIL).unwrap())
}

fn person(u: &User) -> Actor {
    Actor::Person(Person {
        user_id: u.id,
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        role: u.role,
    })
}

impl Org {
    pub fn owner(&self) -> Actor {
        self.actor(OWNER_EMAIL)
    }

    pub fn actor(&self, email: &str) -> Actor {
        person(&directory::find_by_email(&self.store, email).unwrap())
    }

    pub fn add(&mut self, email: &str, role: Role, sign_in: SignInMethod) -> User {
        let owner = self.owner();
        directory::add_user(
            &mut self.store,
            &owner,
            &NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap().into(),
                role,
                sign_in,
                entra_object_id: None,
            },
            None,
        )
        .unwrap()
    }

    pub fn user(&self, email: &str) -> User {
        directory::find_by_email(&self.store, email).unwrap()
    }

    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.store.path()).unwrap();
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }
}
