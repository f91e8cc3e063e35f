"""The owner's first hour in the real window, from an empty data directory (issue 23): create
the organization (signed in, Home with the getting-started list), import the people, "Set it
up for me" against the Graph simulator, link them and preview the first run, turn
auto-deprovisioning on from the connection's result, add an asset, test the email alerts,
back up — until the list is done and put away. Then a leaver, and back: reactivated by the
help article's path (Settings → Users → Deactivated → ⋮ → Reactivate). The command line's
`uniasset status --json` follows the same list."""

import json

from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from flows import OWNER_EMAIL, Inbox, dialog, fill_setup, open_entra, pick_person, run_sign_in, statuses
from ports import free_port

ANN, DANA, ELI = "ann@northwind.example", "dana@northwind.example", "eli@northwind.example"
GRACE = "grace@contoso.onmicrosoft.com"  # the tenant's Global Administrator


def step(app, name):
    return app.wait_for(By.XPATH, f"//section[@aria-labelledby='checklist-title']//li[.//h3[starts-with(normalize-space(.), '{name},')]]")


def done(app, name):
    app.wait_until(lambda: "✓" in app.text(step(app, name)), what=f"“{name}” done")


def go(app, name):
    """A step's one action, from Home."""
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Home')]")
    step(app, name).find_element(By.XPATH, ".//button").click()


def remaining(app):
    status = json.loads(app.cli("--json", "status").stdout)
    return None if status["checklist"] is None else status["checklist"]["remaining"]


def test_the_first_hour_until_the_list_is_done(launch, data_dir, start_tenant, tmp_path):
    tenant = start_tenant([(ANN, True, False), (DANA, False, False), (ELI, True, False), (GRACE, True, False)],
                          roles={GRACE: ["Global Administrator"]})
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        walk(launch, tenant, inbox, smtp.port, tmp_path)
    finally:
        smtp.stop()


def walk(launch, tenant, inbox, smtp_port, tmp_path):
    app = launch()
    fill_setup(app)
    app.click("button", "Create organization")
    app.by_text("h1", "Home")
    app.by_text("h2", "Getting started")
    assert remaining(app) == 6
    app.shot("first-hour-home")

    # The people, from the CSV the owner keeps.
    people = tmp_path / "people.csv"
    people.write_text("email,name,role,sign_in,entra_object_id\n"
                      f"{ANN},Ann Archer,admin,microsoft,\n"
                      f"{DANA},Dana Driver,member,microsoft,\n"
                      f"{ELI},Eli Evans,member,microsoft,\n")
    go(app, "Add your people")
    app.by_text("h1", "People")
    app.click("button", "Import CSV")
    dialog(app, "Import users from CSV")
    app.click("button", "Choose a CSV file")
    app.choose_file("Import users from a CSV file", people)
    app.click("button", "Import 3 users")
    app.by_text("*", "Imported 3 users.")
    done_steps = 1

    # Connected with one sign-in; the result at the top of the page leads to the job.
    go(app, "Connect Microsoft Entra ID")
    app.wait_for(By.XPATH, "//h2[normalize-space(.)='Microsoft Entra ID']")
    app.click("button", "Set it up for me")
    run_sign_in(app, tenant, GRACE, custom_cloud=True)
    card = app.wait_for(By.XPATH, "//section[@aria-labelledby='first-run-title']")
    app.by_text("p", "3 people sign in with Microsoft but are not linked")
    app.press(By.XPATH, "//button[normalize-space(.)='Link them by email']")
    app.by_text("p", "Linked 3 people to their Microsoft account by email.")
    app.by_text("p", "The first run would deactivate 1 person")
    assert "Dana Driver (dana@northwind.example)" in app.text(card)
    assert statuses(app)[DANA] == "active", "a preview changes nothing"
    app.shot("first-hour-preview", show=card)
    app.press(By.XPATH, "//button[normalize-space(.)='Turn on auto-deprovisioning']")
    app.by_text("p", "Auto-deprovisioning is on.")
    assert app.query("SELECT auto_deprovision FROM deprovision_settings") == [(1,)]
    app.shot("first-hour-turned-on", show=card)
    done_steps += 2
    assert remaining(app) == 6 - done_steps

    # An asset, and who holds it.
    go(app, "Record your assets and who holds them")
    app.click("button", "Add asset")
    form = dialog(app, "Add asset")
    app.fill("asset-form-tag", "LAP-001")
    app.fill("asset-form-name", "ThinkPad T14")
    pick_person(app, form, "asset-form-person", "Ann Archer")
    app.press(By.XPATH, "//*[@role='dialog']//button[normalize-space(.)='Add asset']")
    app.by_text("tr", "LAP-001")
    done_steps += 1

    # Email alerts, tested: saved is not enough.
    go(app, "Set up email alerts")
    app.fill("email-host", "127.0.0.1")
    app.fill("email-port", str(smtp_port))
    Select(app.wait_for(By.ID, "email-tls")).select_by_visible_text("None")
    app.fill("email-sender", "uniasset@northwind.example")
    app.fill("email-recipients", OWNER_EMAIL)
    app.press(By.XPATH, "//form[@aria-label='Email alert settings']//button[normalize-space(.)='Save']")
    app.by_text("*", "Saved, not tested")
    assert remaining(app) == 6 - done_steps, "saved is not tested"
    app.press(By.XPATH, "//button[normalize-space(.)='Send test email']")
    assert inbox.arrived.wait(90), "the test email never arrived"
    app.wait_until(lambda: remaining(app) == 6 - done_steps - 1, what="the tested alerts counted")
    done_steps += 1

    # A backup, to the folder UniAsset suggests.
    go(app, "Check backups")
    app.press(By.XPATH, "//button[normalize-space(.)='Back up now']")
    app.wait_until(lambda: app.query("SELECT last_good_at IS NOT NULL FROM backup_settings") == [(1,)],
                   what="a good backup")
    done_steps += 1
    assert done_steps == 6

    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Home')]")
    for name in ("Add your people", "Connect Microsoft Entra ID", "Turn on auto-deprovisioning",
                 "Record your assets and who holds them", "Set up email alerts", "Check backups"):
        done(app, name)
    app.shot("first-hour-done")
    app.press(By.XPATH, "//button[normalize-space(.)='Put this list away']")
    app.wait_until(lambda: not app.driver.find_elements(By.XPATH, "//h2[normalize-space(.)='Getting started']"),
                   what="the list put away")
    assert remaining(app) is None

    # Dana left: the manual sync deactivates her. She is back, enabled in Entra, and is
    # reactivated by the article's path.
    open_entra(app)
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    app.wait_until(lambda: statuses(app)[DANA] == "deactivated", what="Dana deactivated")
    tenant.enable(DANA)
    app.press(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]")
    app.press(By.XPATH, "//button[@role='tab'][contains(., 'Users')]")
    app.click("button", "Deactivated (1)")
    app.press(By.XPATH, "//button[@aria-label='Actions for Dana Driver']")
    app.press(By.XPATH, "//*[@role='menuitem'][contains(., 'Reactivate')]")
    app.by_text("*", "Dana Driver was reactivated.")
    assert statuses(app)[DANA] == "active"
    app.shot("first-hour-reactivated")
