"""Assets coming back (issue 26) through the real window with the test clock: reminders turned
on in General → Leavers and a chat webhook set in General → Chat alerts; Sync Now deactivates a
leaver holding a laptop, due back 14 days later, and the reminder reaches the local SMTP server
for the Owner and her manager and the local webhook; fifteen days on the laptop is overdue, the
overdue reminder arrives, and the owner writes it off; the evidence shows who wrote it off and
why. The webhook's address is nowhere in the data directory."""

import datetime
import http.server
import json
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import flows
from flows import OWNER_EMAIL, Inbox, dialog, open_assets_tab, open_entra, open_settings_tab, sign_in
from ports import free_port

DANA, ERIN, MONA = "dana@northwind.example", "erin@northwind.example", "mona@northwind.example"


SECRET = "sig-E2eWebhookSecret"


class Webhook(http.server.ThreadingHTTPServer):
    """A chat webhook on loopback: keeps each JSON body posted, answers 202."""

    def __init__(self):
        self.posts = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                hook.posts.append(json.loads(self.rfile.read(length)))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/{SECRET}"

    def events(self):
        return [p["event"] for p in self.posts]


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
    hook = Webhook()
    try:
        walk(launch, data_dir, session_env, start_tenant, inbox, smtp.port, hook)
    finally:
        smtp.stop()
        hook.shutdown()


def walk(launch, data_dir, session_env, start_tenant, inbox, smtp_port, hook):
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

    chat = app.wait_for(By.XPATH, "//section[@aria-labelledby='general-chat-title']")
    Select(app.wait_for(By.ID, "chat-kind")).select_by_visible_text("JSON (any service)")
    app.fill("chat-url", hook.url)
    app.press(By.XPATH, "//section[@aria-labelledby='general-chat-title']//button[normalize-space(.)='Save']")
    app.wait_until(lambda: "Alerts go to the webhook at 127.0.0.1 — JSON (any service)" in app.text(chat),
                   what="the webhook saved")
    app.press(By.XPATH, "//section[@aria-labelledby='general-chat-title']//button[normalize-space(.)='Send test']")
    app.wait_until(lambda: hook.events() == ["test"], what="the test post")
    app.shot("chat-alerts", show=chat)

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
    app.wait_until(lambda: {"deactivated", "reminder"} <= set(hook.events()), what="the run's and the reminder's posts")
    reminder = next(p for p in hook.posts if p["event"] == "reminder")
    assert "LAP-042" in reminder["text"] and reminder["organization"] == "Northwind Traders", reminder

    # Fifteen days on, the laptop is overdue and the overdue reminder goes out.
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=15)
    app.set_clock(later.isoformat().replace("+00:00", "Z"))
    mail, _ = wait_for_reminder(app, inbox, 2, "once overdue")
    assert "overdue" in mail.lower() and "LAP-042" in mail, mail
    app.wait_until(lambda: hook.events().count("reminder") == 2, what="the overdue reminder's post")
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
    # Two reminders, each by email and in the chat channel.
    assert app.query("SELECT count(*) FROM audit_entries WHERE action = 'user.assets_reminder_sent'") == [(4,)]
    for file in Path(data_dir).rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes(), f"the webhook's address is in {file}"

    open_assets_tab(app, "Evidence")
    table = app.wait_for(By.XPATH, "//table[contains(., 'Dana Driver')]")
    text = app.text(table)
    for said in ("written off", "by Olivia Owner", "not returned", "No answer to three emails"):
        assert said in text, (said, text)
    app.shot("evidence-written-off", show=table)
