"""Assets coming back (issue 26) through the real window with the test clock: reminders turned
on in General → Leavers; Sync Now deactivates a leaver holding a laptop, due back 14 days later,
and the reminder reaches the local SMTP server for the Owner and her manager; fifteen days on
the laptop is overdue, the overdue reminder arrives, and the owner writes it off; the evidence
shows who wrote it off and why."""

import datetime

from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import flows
from flows import OWNER_EMAIL, Inbox, dialog, open_assets_tab, open_entra, open_settings_tab, sign_in
from ports import free_port

DANA, ERIN, MONA = "dana@northwind.example", "erin@northwind.example", "mona@northwind.example"


def reminders(inbox):
    """The reminders received (the run's own alert goes to the same server), with recipients."""
    return [(m, to) for m, to in zip(inbox.messages, inbox.recipients) if "asset(s) to return" in m]


def wait_for_reminder(app, inbox, count, about):
    app.wait_until(lambda: len(reminders(inbox)) >= count, what=f"the reminder {about}")
    return reminders(inbox)[count - 1]


def test_reminders_then_an_overdue_laptop_is_written_off(launch, data_dir, session_env, start_tenant):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        walk(launch, data_dir, session_env, start_tenant, inbox, smtp.port)
    finally:
        smtp.stop()


def walk(launch, data_dir, session_env, start_tenant, inbox, smtp_port):
    tenant = start_tenant([(DANA, False, False), (ERIN, True, False)])
    flows.organization(data_dir, session_env)
    flows.add_user(data_dir, DANA, "Dana Driver", entra_id=tenant.accounts[DANA], env=session_env)
    flows.add_user(data_dir, ERIN, "Erin Engineer", entra_id=tenant.accounts[ERIN], env=session_env)
    flows.connect(data_dir, tenant, session_env)
    flows.cli(data_dir, "users", "manager", DANA, MONA, env=session_env)
    flows.cli(data_dir, "alerts", "set", "--host", "127.0.0.1", "--port", str(smtp_port), "--tls", "none",
              "--from", "uniasset@northwind.example", "--to", OWNER_EMAIL, env=session_env)
    flows.cli(data_dir, "assets", "add", "--tag", "LAP-042", "--name", "ThinkPad T14", "--serial", "PF3X9Q",
              "--assign", DANA, env=session_env)
    app = launch()
    sign_in(app)

    open_settings_tab(app, "General")
    card = app.wait_for(By.XPATH, "//section[@aria-labelledby='general-leavers-title']")
    box = app.wait_for(By.ID, "general-reminders")
    app.wait_until(lambda: box.is_enabled(), what="the reminders checkbox")
    box.click()
    app.wait_until(lambda: app.query("SELECT reminders_since IS NOT NULL FROM leaver_settings") == [(1,)],
                   what="reminders on")
    app.shot("leavers-settings", show=card)

    open_entra(app)
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    app.by_text("*", "1 deactivated")
    (due,) = app.query("SELECT return_due FROM asset_holdings WHERE ended_at IS NULL")[0]
    left = datetime.date.fromisoformat(app.query("SELECT substr(deactivated_at, 1, 10) FROM users WHERE email = ?",
                                                 DANA)[0][0])
    assert due == (left + datetime.timedelta(days=14)).isoformat(), due

    # The reminder when she leaves: to the Owner and to her manager, naming the laptop.
    mail, to = wait_for_reminder(app, inbox, 1, "when she left")
    assert sorted(to) == sorted([OWNER_EMAIL, MONA]), to
    assert "LAP-042" in mail and f"due {due}" in mail, mail

    # Fifteen days on, the laptop is overdue and the overdue reminder goes out.
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=15)
    app.set_clock(later.isoformat().replace("+00:00", "Z"))
    mail, _ = wait_for_reminder(app, inbox, 2, "once overdue")
    assert "overdue" in mail.lower() and "LAP-042" in mail, mail
    # Fifteen idle days end the session, as they would on a real desk: the next step asks
    # for the password again.
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Assets')]")
    app.wait_for(By.ID, "signin-password")
    sign_in(app)
    open_assets_tab(app, "Leavers")
    card = app.wait_for(By.XPATH, "//li[contains(@class, 'leaver')][contains(., 'Dana Driver')]")
    app.wait_until(lambda: "Overdue" in app.text(card), what="the laptop to be overdue")
    app.shot("leaver-overdue", show=card)

    app.press(By.XPATH, "//button[@aria-label='Write off LAP-042']")
    box = dialog(app, "Write off LAP-042?")
    Select(box.find_element(By.ID, "write-off-reason")).select_by_visible_text("Not returned")
    app.fill("write-off-note", "No answer to three emails")
    app.shot("write-off-confirm", show=box)
    box.find_element(By.XPATH, ".//button[normalize-space(.)='Write off']").click()
    app.by_text("*", "LAP-042 was written off.")
    app.by_text("*", "Nobody who left still holds an asset.")
    assert app.query("SELECT status FROM assets WHERE tag = 'LAP-042'") == [("written_off",)]
    assert app.query("SELECT outcome, write_off_reason FROM asset_holdings") == [("written_off", "not_returned")]
    assert app.query("SELECT count(*) FROM audit_entries WHERE action = 'user.assets_reminder_sent'") == [(2,)]

    open_assets_tab(app, "Evidence")
    table = app.wait_for(By.XPATH, "//table[contains(., 'Dana Driver')]")
    text = app.text(table)
    for said in ("written off", "by Olivia Owner", "not returned", "No answer to three emails"):
        assert said in text, (said, text)
    app.shot("evidence-written-off", show=table)
