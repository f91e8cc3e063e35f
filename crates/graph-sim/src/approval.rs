//! A person approving or declining a device sign-in on the verification page: the code
//! is checked by the device codes, the account by the directory.

use crate::device_code::Refusal;
use crate::state::{lock, Shared};

/// The user `upn` approves the sign-in `user_code`, as on the verification page; the
/// error says why not, for that page.
pub(crate) fn approve(shared: &Shared, user_code: &str, upn: &str) -> Result<(), String> {
    let refused = |r: Refusal| r.message(user_code.trim());
    lock(&shared.device_codes)
        .check(user_code)
        .map_err(refused)?;
    let account = {
        let directory = lock(&shared.directory);
        directory
            .get(upn.trim())
            .filter(|u| u.user_principal_name.eq_ignore_ascii_case(upn.trim()))
            .map(|u| (u.user_principal_name.clone(), u.enabled))
    };
    match account {
        None => Err(format!(
            "There is no account {} in this organization.",
            upn.trim()
        )),
        Some((upn, false)) => Err(format!("The account {upn} is disabled.")),
        Some((upn, true)) => lock(&shared.device_codes)
            .approve(user_code, &upn)
            .map_err(refused),
    }
}

/// The sign-in `user_code` is declined, as with "No, cancel" on the verification page.
pub(crate) fn decline(shared: &Shared, user_code: &str) -> Result<(), String> {
    lock(&shared.device_codes)
        .decline(user_code)
        .map_err(|r| r.message(user_code.trim()))
}
