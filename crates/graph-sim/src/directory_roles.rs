//! Entra's built-in directory roles: display names as the admin center shows them, and
//! the template ids delegated tokens carry in their `wids` claim.

/// (display name, role template id), as Microsoft publishes them.
const ROLES: [(&str, &str); 6] = [
    (
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
    ),
    (
        "Application Administrator",
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    ),
    (
        "Cloud Application Administrator",
        "158c047a-c907-4556-b7ef-446551a6b5f7",
    ),
    ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
    (
        "Privileged Role Administrator",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
    ),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
];

/// The roles that may register applications and manage their secrets.
pub(crate) const APP_ADMIN_ROLE_IDS: [&str; 3] = [ROLES[0].1, ROLES[1].1, ROLES[2].1];

/// The roles that may grant an application permission of Microsoft Graph (admin consent to
/// app roles): as Microsoft documents it, not the application administrators.
pub(crate) const GRANT_ROLE_IDS: [&str; 2] = [ROLES[0].1, ROLES[4].1];

/// The template id of a role named as the admin center names it (case-insensitive);
/// `None` for a name Entra does not have, which then grants nothing.
pub(crate) fn template_id(name: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(display_name, _)| display_name.eq_ignore_ascii_case(name.trim()))
        .map(|(_, id)| *id)
}
