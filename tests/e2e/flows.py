"""Steps the end-to-end tests share: preparing an organization the way an administrator
would (the real `uniasset` binary), and walking the help article's paths in the window."""

import re
import threading

from selenium.webdriver.common.by import By

from conftest import cli

OWNER_EMAIL = "olivia@northwind.example"
OWNER_PASSWORD = "plum orchard lantern 42"
MEMBER_PASSWORD = "granite willow comet 9"


def organization(data_dir, env=None, plan="enterprise"):
    cli(data_dir, "org", "init", "--name", "Northwind Traders", "--plan", plan,
        "--owner-email", OWNER_EMAIL, "--owner-name", "Olivia Owner", "--owner-password-stdin",
        stdin=OWNER_PASSWORD + "\n", env=env)


def add_user(data_dir, email, name, role="member", sign_in="microsoft", entra_id=None, password=None, env=None):
    args = ["users", "add", "--email", email, "--name", name, "--role", role, "--sign-in", sign_in]
    if entra_id:
        args += ["--entra-id", entra_id]
    cli(data_dir, *args, env=env)
    if password:
        cli(data_dir, "users", "set-password", email, "--password-stdin", stdin=password, env=env)


def connect(data_dir, tenant, env):
    base = tenant.info["base_url"]
    cli(data_dir, "entra", "connect", "--tenant", tenant.info["tenant_id"], "--client-id", tenant.info["client_id"],
        "--client-secret-stdin", "--login-url", base, "--graph-url", base, stdin=tenant.secret, env=env)


def fill_setup(app):
    """The first-run form, filled in as the Owner of Northwind Traders would."""
    app.by_text("h1", "Set up your organization")
    app.fill("setup-name", "Northwind Traders")
    app.fill("setup-owner-name", "Olivia Owner")
    app.fill("setup-owner-email", OWNER_EMAIL)
    app.fill("setup-password", OWNER_PASSWORD)
    app.fill("setup-confirm", OWNER_PASSWORD)


def sign_in(app, email=OWNER_EMAIL, password=OWNER_PASSWORD):
    app.fill("signin-email", email)
    app.fill("signin-password", password)
    app.click("button", "Sign in")
    app.wait_for(By.XPATH, "//nav[@aria-label='Main']")


def open_settings_tab(app, tab):
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]")
    app.press(By.XPATH, f"//button[@role='tab'][contains(., '{tab}')]")


class Inbox:
    """An SMTP server's mailbox: every message aiosmtpd accepts, and who it was for."""

    def __init__(self):
        self.messages = []
        self.recipients = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode(errors="replace"))
        self.recipients.append(list(envelope.rcpt_tos))
        self.arrived.set()
        return "250 OK"


def open_assets_tab(app, tab):
    """Assets in the left sidebar → the tab whose name starts with `tab`."""
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Assets')]")
    app.press(By.XPATH, f"//button[@role='tab'][starts-with(normalize-space(.), '{tab}')]")


def open_entra(app):
    """Settings in the left sidebar → the Integrations tab → Microsoft Entra ID."""
    open_settings_tab(app, "Integrations")
    app.press(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
    app.wait_for(By.XPATH, "//h2[normalize-space(.)='Microsoft Entra ID']")


def statuses(app):
    return dict(app.query("SELECT email, status FROM users"))


def run_sign_in(app, tenant, account, custom_cloud):
    """Start in the open dialog, then sign in in the 'browser' with the code it shows."""
    if custom_cloud:
        app.wait_for(By.ID, "entra-setup-cloud").send_keys("Custom")
        app.fill("entra-setup-login-url", tenant.info["base_url"])
        app.fill("entra-setup-graph-url", tenant.info["base_url"])
    app.click("button", "Start")
    code = app.wait_for(By.ID, "device-code")
    app.wait_until(lambda: app.text(code), what="the device code")
    user_code = app.text(code)
    assert re.fullmatch(r"[A-Z2-9]{8}", user_code), user_code
    app.by_text("*", "Waiting for you to sign in")
    app.shot(f"device-code-{account.split('@')[0]}")
    page = tenant.sign_in_with_code(user_code, account)
    assert "signed in" in page.lower(), page
    return user_code


def dialog(app, title):
    return app.wait_for(By.XPATH, f"//*[@role='dialog' or @role='alertdialog'][.//*[normalize-space(.)=\"{title}\"]]")


def pick_person(app, box, picker_id, name):
    """Searches the picker and chooses `name`; returns once the choice is made, so the
    picker's list no longer moves what is below it."""
    box.find_element(By.ID, f"{picker_id}-search").send_keys(name)
    choice = f"//label[contains(@class, 'choice')][contains(., '{name}')]/input"
    app.press(By.XPATH, choice)
    app.wait_until(lambda: app.wait_for(By.XPATH, choice).is_selected(), what=f"{name} chosen")
