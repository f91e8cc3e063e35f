"""Assets coming back (issue 26) through the real window with the test clock: a leaver's
laptop is due back 14 days after Sync Now deactivated her, becomes overdue when the clock
moves past that day, and the owner writes it off; the evidence shows who wrote it off and why."""

import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import flows
from flows import dialog, open_assets_tab, open_entra, sign_in

DANA, ERIN = "dana@northwind.example", "erin@northwind.example"


def test_an_overdue_laptop_is_written_off_and_the_evidence_shows_it(launch, data_dir, session_env, start_tenant):
    tenant = start_tenant([(DANA, False, False), (ERIN, True, False)])
    flows.organization(data_dir, session_env)
    flows.add_user(data_dir, DANA, "Dana Driver", entra_id=tenant.accounts[DANA], env=session_env)
    flows.add_user(data_dir, ERIN, "Erin Engineer", entra_id=tenant.accounts[ERIN], env=session_env)
    flows.connect(data_dir, tenant, session_env)
    flows.cli(data_dir, "assets", "add", "--tag", "LAP-042", "--name", "ThinkPad T14", "--serial", "PF3X9Q",
              "--assign", DANA, env=session_env)
    app = launch()
    sign_in(app)

    open_entra(app)
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    app.by_text("*", "1 deactivated")
    (due,) = app.query("SELECT return_due FROM asset_holdings WHERE ended_at IS NULL")[0]
    left = datetime.date.fromisoformat(app.query("SELECT substr(deactivated_at, 1, 10) FROM users WHERE email = ?",
                                                 DANA)[0][0])
    assert due == (left + datetime.timedelta(days=14)).isoformat(), due

    # Fifteen days on, the laptop is overdue.
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=15)
    app.set_clock(later.isoformat().replace("+00:00", "Z"))
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

    open_assets_tab(app, "Evidence")
    table = app.wait_for(By.XPATH, "//table[contains(., 'Dana Driver')]")
    text = app.text(table)
    for said in ("written off", "by Olivia Owner", "not returned", "No answer to three emails"):
        assert said in text, (said, text)
    app.shot("evidence-written-off", show=table)
