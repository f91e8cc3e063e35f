//! The command line's grammar (SPEC §8).

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use uniasset_core::alerts::{SmtpTls, WebhookKind};
use uniasset_core::assets::{AssetStatus, WriteOffReason};
use uniasset_core::directory::{Role, SignInMethod, UserStatus};
use uniasset_core::entra::cloud::Cloud;
use uniasset_core::organization::Plan;

#[derive(Parser)]
#[command(
    name = "uniasset",
    version,
    about = "UniAsset Desktop's command line",
    propagate_version = true
)]
pub struct Cli {
    /// Print JSON instead of text meant for people.
    #[arg(long, global = true)]
    pub json: bool,

    /// The data directory (default: the platform's app data folder, shared with the app).
    #[arg(long, global = true, value_name = "DIR", env = "UNIASSET_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// The organization: set it up, show it.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users: add, import, list, edit, deactivate, reactivate, set passwords.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Microsoft Entra ID: connect, test, auto-deprovision, sync, run history.
    #[command(subcommand)]
    Entra(EntraCommand),
    /// Email alerts: set them up, show them, send a test, turn them off.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// The audit log, newest first: who did what, and when.
    Audit(AuditArgs),
    /// The asset register: add, edit, assign, check in, mark lost, list, history.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Leavers still holding assets, the most urgent first: each asset, its holder, when it
    /// is due back and whether it is overdue.
    Leavers {
        /// Only the assets whose due date has passed.
        #[arg(long)]
        overdue: bool,
    },
    /// Reports: the deprovisioning evidence.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Backups of the whole organization: make one, list them, restore one, settings.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// The state of the job, as Home in the window shows it: what is fine, what needs you,
    /// and the getting-started list.
    Status,
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Back the organization up now: into the backup folder (older copies are then pruned),
    /// or into --to DIR as a one-off copy.
    Create {
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// The copies in the backup folder, newest first.
    List,
    /// Restore a backup into the data directory. The organization there is set aside (not
    /// deleted), and only with --force. A damaged or foreign file changes nothing.
    Restore {
        file: PathBuf,
        /// Replace the organization this data directory holds.
        #[arg(long)]
        force: bool,
        /// Read the passphrase of an encrypted backup from standard input.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Encrypt backups with a passphrase read from standard input (kept only in the system
    /// keychain), or stop encrypting them with --off. A lost passphrase means lost backups.
    Passphrase {
        #[arg(long, conflicts_with = "off", required_unless_present = "off")]
        stdin: bool,
        #[arg(long)]
        off: bool,
    },
    /// Show or change the backup settings.
    Settings(BackupSettingsArgs),
}

#[derive(Args)]
pub struct BackupSettingsArgs {
    /// The backup folder; "" for the default (UniAsset Backups in Documents).
    #[arg(long, value_name = "DIR")]
    pub folder: Option<String>,
    /// A backup every day, after the nightly run.
    #[arg(long, value_parser = ["on", "off"])]
    pub automatic: Option<String>,
    /// Days with a copy to keep (1–60).
    #[arg(long, value_name = "N")]
    pub keep_daily: Option<u32>,
    /// Weeks with a copy to keep, before the daily ones (0–52).
    #[arg(long, value_name = "N")]
    pub keep_weekly: Option<u32>,
}

#[derive(Subcommand)]
pub enum AssetsCommand {
    /// Add an asset: in stock, or in use by an active user given with --assign.
    Add(AssetAdd),
    /// Assign an asset to an active user. An asset someone holds is checked in first.
    Assign {
        tag: String,
        email: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Check an asset in from whoever holds it (a deactivated person too): it is in stock.
    Checkin {
        tag: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Mark an asset lost, ending its holding if someone held it.
    Lost {
        tag: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Change an asset's name, category, serial number or status (at least one).
    Edit(AssetEditArgs),
    /// List assets by tag, optionally only those someone holds or with one status.
    List {
        /// Only assets this person holds now.
        #[arg(long, value_name = "EMAIL")]
        assigned_to: Option<String>,
        /// in_use, in_stock, in_repair, retired or lost
        #[arg(long)]
        status: Option<AssetStatus>,
    },
    /// Who held an asset and when, newest first.
    History { tag: String },
    /// Move the day a leaver's asset is due back (not before the day they left).
    Due {
        tag: String,
        #[arg(value_name = "YYYY-MM-DD")]
        day: String,
    },
    /// Write off a leaver's asset once its due date has passed.
    Writeoff {
        tag: String,
        /// not_returned, bought_out or destroyed
        #[arg(long)]
        reason: WriteOffReason,
        #[arg(long)]
        note: Option<String>,
    },
    /// How many days after a deactivation a leaver's assets are due back (1–365; 14);
    /// without DAYS, shows it. Applies to people deactivated from now on.
    ReturnDays { days: Option<u32> },
}

#[derive(Args)]
pub struct AssetAdd {
    #[arg(long)]
    pub tag: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub serial: Option<String>,
    /// The email of the active user who gets it.
    #[arg(long, value_name = "EMAIL")]
    pub assign: Option<String>,
}

#[derive(Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true)))]
pub struct AssetEditArgs {
    pub tag: String,
    #[arg(long, group = "change")]
    pub name: Option<String>,
    /// "" removes the category.
    #[arg(long, group = "change")]
    pub category: Option<String>,
    /// "" removes the serial number.
    #[arg(long, group = "change")]
    pub serial: Option<String>,
    /// in_use, in_stock, in_repair, retired or lost (in use exactly while someone holds it)
    #[arg(long, group = "change")]
    pub status: Option<AssetStatus>,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Every deactivation in a period, oldest first: when the sync first saw the change in
    /// Entra, when and by which run or person access ended, and each asset held then
    /// (returned, lost or still outstanding).
    Leavers(LeaversArgs),
    /// The target time from detecting a leaver to deactivating them, which the evidence
    /// measures each deactivation against; without HOURS, shows it.
    Target {
        /// 1–720 hours (24 unless changed).
        hours: Option<u32>,
    },
}

#[derive(Args)]
pub struct LeaversArgs {
    /// Only deactivations from this day on (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only deactivations up to this day, included (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Print CSV (the window's export), every cell safe to open in a spreadsheet.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Only entries from this day on (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only entries up to this day, included (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Only entries this person did or was the subject of.
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Only entries with this action, such as user.deactivated.
    #[arg(long)]
    pub action: Option<String>,
    /// Print CSV (the window's export), every cell safe to open in a spreadsheet.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no entry was edited, deleted or inserted since it was recorded: every
    /// entry's hash and its link to the one before. Exits 1 naming the first that does not
    /// match.
    Verify,
}

#[derive(Subcommand)]
pub enum EntraCommand {
    /// Test and save the connection; the client secret is read from standard input and
    /// kept only in the system keychain.
    Connect(EntraConnect),
    /// Set UniAsset up in the tenant for you: an administrator signs in with the code printed
    /// here, and UniAsset registers its own app with User.Read.All and a 12-month secret kept
    /// in the system keychain.
    Setup(CloudArgs),
    /// Renew the client secret: an administrator signs in with the code printed here, and
    /// UniAsset adds a new secret, tests it, switches to it and removes the old one.
    RenewSecret,
    /// Test the saved connection: get a token and read one user.
    Test,
    /// Allow UniAsset what an optional feature needs in Entra: an administrator signs in with
    /// the code printed here, and UniAsset adds the permission to its app registration and
    /// grants it (end-sessions: User.RevokeSessions.All; offboard: also
    /// User.EnableDisableAccount.All).
    Grant {
        #[arg(value_parser = ["end-sessions", "offboard"])]
        feature: String,
    },
    /// Turn automatic nightly runs (03:00 UTC) on or off.
    AutoDeprovision {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// End leavers' Microsoft sessions (revokeSignInSessions) when they are deactivated because
    /// Entra disabled them or by hand; needs the User.RevokeSessions.All permission.
    EndSessions {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// How long a run may take before it ends as failed, deactivating nobody (1–1440).
    RunDeadline { minutes: u32 },
    /// Also check for changes every MINUTES (5–60) while the desktop app runs, between the
    /// nightly runs; `off`: only the nightly run checks. A check that finds nothing new
    /// stores no run.
    CheckInterval {
        #[arg(value_name = "MINUTES|off", value_parser = check_every)]
        every: CheckEvery,
    },
    /// Run the sync now (the same check as the nightly run).
    Sync {
        /// Show who would be deactivated, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The run history, newest first (with a run's users when given its number).
    Runs {
        #[arg(value_name = "RUN")]
        run: Option<i64>,
    },
    /// Apply a run held by the mass-deactivation guard (each user is re-checked first).
    ApplyHeld { run: i64 },
    /// Dismiss a held run: nobody is deactivated by it.
    DismissHeld { run: i64 },
    /// Link Microsoft sign-in users without an Entra object id, by their address.
    Match,
    /// Add the tenant's enabled member accounts (never guests, disabled or deleted ones) as
    /// Microsoft sign-in Members. An address already in UniAsset is never duplicated: an
    /// unlinked Microsoft user is linked, a password or Google user is left as is.
    Provision {
        /// Show who would be added, linked and left alone, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Add new Entra users automatically: each sync run then also adds enabled member
    /// accounts created in Entra from now on, as Members.
    AutoAdd {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Remove the secret from the keychain and the connection; auto-deprovision turns off.
    Disconnect,
}

#[derive(Args)]
pub struct EntraConnect {
    /// Directory (tenant) ID, or a verified domain.
    #[arg(long)]
    pub tenant: String,
    /// Application (client) ID.
    #[arg(long)]
    pub client_id: String,
    #[arg(long, required = true)]
    pub client_secret_stdin: bool,
    #[command(flatten)]
    pub cloud: CloudArgs,
    /// The secret's expiry date (YYYY-MM-DD), for a warning 14 days before.
    #[arg(long, value_name = "DATE")]
    pub secret_expires: Option<String>,
}

/// Which Microsoft cloud: a national one by name, or custom endpoints.
#[derive(Args)]
pub struct CloudArgs {
    /// global, usgov, usgov-dod or china (custom when --login-url and --graph-url are given)
    #[arg(long)]
    pub cloud: Option<Cloud>,
    #[arg(long, requires = "graph_url", conflicts_with = "cloud")]
    pub login_url: Option<String>,
    #[arg(long, requires = "login_url", conflicts_with = "cloud")]
    pub graph_url: Option<String>,
}

impl CloudArgs {
    pub fn cloud(&self) -> Cloud {
        match self.cloud {
            _ if self.login_url.is_some() => Cloud::Custom,
            Some(cloud) => cloud,
            None => Cloud::Global,
        }
    }
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create the organization and its Owner in an empty data directory.
    Init(OrgInit),
    /// Show the organization, its plan and how many users it has.
    Show,
    /// Rename the organization (an Owner's decision).
    Rename { name: String },
    /// Change the plan: free, team or enterprise. Leaving Enterprise turns
    /// auto-deprovisioning off; what changes is printed.
    Plan { plan: Plan },
}

#[derive(Args)]
pub struct OrgInit {
    #[arg(long)]
    pub name: String,
    /// free, team or enterprise
    #[arg(long)]
    pub plan: Plan,
    #[arg(long)]
    pub owner_email: String,
    #[arg(long)]
    pub owner_name: String,
    /// Read the Owner's password from standard input. Without it the Owner cannot sign in
    /// to the app until `users set-password` gives them one.
    #[arg(long)]
    pub owner_password_stdin: bool,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Set a user's password, read from standard input.
    SetPassword {
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Add one user.
    Add(UserAdd),
    /// Import users from a CSV file (header: email,name,role,sign_in,entra_object_id).
    /// Every row must be valid, or nothing is imported.
    Import { file: PathBuf },
    /// List users, optionally only active or deactivated ones.
    List {
        #[arg(long)]
        status: Option<UserStatus>,
    },
    /// Deactivate a user. Nothing about them is deleted. With ending sessions on, a
    /// Microsoft-linked user's Microsoft sessions are ended too.
    Deactivate { email: String },
    /// Set who a user's manager is (they hear about the assets the user still holds after
    /// leaving): an email address, or --from-entra to read it from Microsoft Entra ID.
    Manager {
        email: String,
        #[arg(
            value_name = "MANAGER_EMAIL",
            required_unless_present = "from_entra",
            conflicts_with = "from_entra"
        )]
        manager: Option<String>,
        /// Read the manager from Microsoft Entra ID (replaces one set by hand).
        #[arg(long)]
        from_entra: bool,
    },
    /// Check one Microsoft-linked user in Entra now and apply a run's rules to them alone:
    /// disabled or deleted there → deactivated here. Exits 1 when the check failed.
    Check { email: String },
    /// Offboard a Microsoft-linked user in one step: disable their account in Entra, end their
    /// Microsoft sessions, deactivate them here, and list their assets to recover.
    Offboard {
        email: String,
        /// Say what would happen; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Deactivate them here even if Entra refuses to disable the account.
        #[arg(long)]
        anyway: bool,
    },
    /// Reactivate a deactivated user. When auto-deprovision is on and Entra still reports
    /// their account disabled or deleted, this refuses unless --force is given.
    Reactivate {
        email: String,
        #[arg(long)]
        force: bool,
    },
    /// Mark a user "never deactivate automatically" (break-glass and service accounts):
    /// the Entra ID sync reports them but never deactivates them.
    Protect { email: String },
    /// Let the Entra ID sync deactivate a protected user again.
    Unprotect { email: String },
    /// Change a user's name, role, sign-in method or Entra link (at least one).
    Edit(UserEditArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true)))]
pub struct UserEditArgs {
    pub email: String,
    #[arg(long, group = "change")]
    pub name: Option<String>,
    /// owner, admin or member
    #[arg(long, group = "change")]
    pub role: Option<Role>,
    /// password, google or microsoft
    #[arg(long = "sign-in", group = "change")]
    pub sign_in: Option<SignInMethod>,
    /// The user's Entra object id (a GUID), for Microsoft sign-in; "" removes the link.
    #[arg(long = "entra-id", value_name = "GUID", group = "change")]
    pub entra_id: Option<String>,
}

#[derive(Args)]
pub struct UserAdd {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// owner, admin or member
    #[arg(long)]
    pub role: Role,
    /// password, google or microsoft
    #[arg(long = "sign-in")]
    pub sign_in: SignInMethod,
    /// The user's Entra object id (a GUID), for Microsoft sign-in.
    #[arg(long = "entra-id", value_name = "GUID")]
    pub entra_id: Option<String>,
}

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Set up email alerts and turn them on. With --password-stdin the SMTP password is
    /// read from standard input and kept only in the system keychain.
    Set(AlertsSet),
    /// Show the settings and how the last email fared (never the password).
    Show,
    /// Send a test email with the saved settings.
    Test,
    /// Turn email alerts off and remove the SMTP settings and password.
    Off,
    /// Chat alerts: the same alerts posted to a Microsoft Teams or Slack channel, or any
    /// endpoint (the address is kept only in the system keychain).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Remind the Owners, Admins and the leaver's manager about assets leavers still hold:
    /// when they leave, before and on the due date, and weekly while overdue.
    Reminders {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Set the webhook: its address (https, or http to this computer) and what it expects.
    Set {
        /// The webhook's address; or --url-stdin to keep it out of the shell's history.
        #[arg(required_unless_present = "url_stdin", conflicts_with = "url_stdin")]
        url: Option<String>,
        #[arg(long)]
        url_stdin: bool,
        /// teams (a Workflows webhook), slack (an incoming webhook) or json (any endpoint)
        #[arg(long)]
        kind: WebhookKind,
    },
    /// Post a test message to the webhook.
    Test,
    /// Show the webhook's kind and host and how the last post fared (never the address).
    Show,
    /// Remove the webhook; its address leaves the keychain.
    Off,
}

#[derive(Args)]
pub struct AlertsSet {
    /// The SMTP server's host name or IP address.
    #[arg(long)]
    pub host: String,
    /// Usually 587 (starttls), 465 (tls) or 25.
    #[arg(long)]
    pub port: u16,
    /// none, starttls (required) or tls (from the first byte).
    #[arg(long)]
    pub tls: SmtpTls,
    /// The user name to sign in with; leave it out for a server that needs no sign-in.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Read the SMTP password from standard input (needs --user). Without it a saved
    /// password is kept.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// The address alerts come from.
    #[arg(long, value_name = "ADDRESS")]
    pub from: String,
    /// Where alerts go: one address, or several separated by commas.
    #[arg(long, value_name = "ADDRESS[,ADDRESS]")]
    pub to: String,
}

/// `entra check-interval`: minutes, or None for `off`.
#[derive(Clone, Copy)]
pub struct CheckEvery(pub Option<u32>);

/// The core checks the range; this only tells minutes from `off`.
fn check_every(text: &str) -> Result<CheckEvery, String> {
    if text == "off" {
        return Ok(CheckEvery(None));
    }
    text.parse()
        .map(|minutes| CheckEvery(Some(minutes)))
        .map_err(|_| {
            format!(
                "{} is neither a number of minutes nor off",
                uniasset_core::text::excerpt(text)
            )
        })
}
