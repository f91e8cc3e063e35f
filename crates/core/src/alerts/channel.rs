//! The two ways alerts go out: by email and to a chat webhook. Each keeps the same records in
//! tables of the same shape — its settings row (where run alerts start, the stale alert, the
//! last send) and what became of each run's alert — so one outbox serves both.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Channel {
    Email,
    Chat,
}

impl Channel {
    pub(super) const ALL: [Channel; 2] = [Channel::Email, Channel::Chat];

    /// Its settings row: `alerts_after_run`, `stale_alerted_from`, `last_sent_at`,
    /// `last_subject`, `last_error`.
    pub(super) fn settings_table(self) -> &'static str {
        match self {
            Channel::Email => "email_alerts",
            Channel::Chat => "chat_webhook",
        }
    }

    /// When the settings row (named `row` in the query) says it is on: email alerts have a
    /// switch; a webhook's row exists only while set.
    pub(super) fn on(self, row: &str) -> String {
        match self {
            Channel::Email => format!("{row}.enabled = 1"),
            Channel::Chat => "1 = 1".to_owned(),
        }
    }

    /// What became of each run's alert.
    pub(super) fn runs_table(self) -> &'static str {
        match self {
            Channel::Email => "run_alerts",
            Channel::Chat => "run_posts",
        }
    }

    /// As `asset_reminders.channel` spells it.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Chat => "chat",
        }
    }
}
