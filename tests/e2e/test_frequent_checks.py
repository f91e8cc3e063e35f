"""Frequent checks (issue 15) through the real window, with the test clock: on at 5 minutes,
a check that finds nothing adds no run to the history but updates "Last checked" (on the
Entra page and in the tray); an account disabled in Entra is deactivated by the next check,
a run with trigger "Frequent check"; turned off, no check runs; the 03:00 UTC run still
happens. They cannot be turned on before auto-deprovisioning is."""

import datetime

from selenium.webdriver.common.by import By

import flows
from conftest import set_clock
from flows import open_entra, sign_in, statuses

ANN, CY = "ann@northwind.example", "cy@northwind.example"


def at(t: datetime.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def parse(stamp: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def last_checked(app):
    rows = app.query("SELECT last_checked_at FROM frequent_checks")
    return parse(rows[0][0]) if rows and rows[0][0] else None


def runs(app):
    return app.query("SELECT id, trigger, result FROM sync_runs ORDER BY id")


def test_frequent_checks_catch_a_leaver_within_minutes(tray, launch, data_dir, session_env, start_tenant):
    # Cy stays enabled: a run after which nobody linked is enabled would be held instead.
    tenant = start_tenant([(ANN, True, False), (CY, True, False)])
    flows.organization(data_dir, session_env)
    for email in (ANN, CY):
        flows.add_user(data_dir, email, email.split("@")[0].title(), entra_id=tenant.accounts[email], env=session_env)
    flows.connect(data_dir, tenant, session_env)

    # The app's clock: tomorrow 10:00 UTC, far from the 03:00 window, after anything the
    # command line stamped with the real time.
    t0 = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    clock = lambda t: set_clock(session_env, at(t))
    clock(t0)
    app = launch()
    sign_in(app)
    open_entra(app)

    # Before auto-deprovisioning is on, frequent checks cannot be turned on, and say why,
    # with a way to the switch.
    app.by_text("p", "so they need auto-deprovisioning on")
    assert not app.wait_for(By.ID, "entra-checks-on").is_enabled()
    app.press(By.XPATH, "//button[normalize-space(.)='Go to the auto-deprovisioning switch']")
    app.wait_until(lambda: app.driver.switch_to.active_element.get_attribute("id") == "entra-auto-switch",
                   what="focus on the switch")

    # Auto-deprovision on and Save, then a first sync with Sync Now: nothing to do.
    app.press(By.ID, "entra-auto-switch")
    app.press(By.XPATH, "//section[@aria-labelledby='entra-auto-title']//button[normalize-space(.)='Save']")
    app.by_text("*", "Next automatic run:")
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    app.wait_until(lambda: runs(app) == [(1, "manual", "succeeded")], what="the first sync")

    # Frequent checks on, every 5 minutes.
    card = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-checks-title']")
    box = app.wait_for(By.ID, "entra-checks-on")
    assert not box.is_selected(), "off by default"
    box.click()
    # Bad input first: the limits the core gives, said before anything is saved.
    app.fill("entra-checks-minutes", "4")
    app.by_text("*", "Enter a whole number of minutes from 5 to 60.")
    assert not app.wait_for(By.ID, "entra-checks-save").is_enabled()
    app.shot("frequent-checks-bad-minutes", show=card)
    app.fill("entra-checks-minutes", "5")
    app.press(By.ID, "entra-checks-save")
    app.by_text("*", "Saved. UniAsset checks every 5 minutes while it is running.")
    assert app.query("SELECT check_every_minutes FROM deprovision_settings") == [(5,)]
    assert app.query("SELECT action FROM audit_entries WHERE action LIKE 'entra.frequent%'") == [
        ("entra.frequent_checks_on",)]

    # +5 minutes: a check runs, finds nothing, and is no run in the history.
    t1 = t0 + datetime.timedelta(minutes=5)
    clock(t1)
    app.wait_until(lambda: (last_checked(app) or t0) >= t1, what="a check at +5 minutes")
    assert runs(app) == [(1, "manual", "succeeded")], "a check that found nothing stores no run"
    shown = lambda: app.text(app.wait_for(By.ID, "entra-checks-last"))
    app.wait_until(lambda: "Nothing new in Microsoft Entra ID." in shown(), what="Last checked on the page")
    before = shown()
    hhmm = lambda t: t.astimezone().strftime("%H:%M")
    assert hhmm(t1) in before, before
    assert f"Next check at {hhmm(t1 + datetime.timedelta(minutes=5))}" in app.text(app.wait_for(By.ID, "entra-checks-next"))
    app.wait_until(lambda: any(i["label"] == f"Last checked {hhmm(t1)}" for i in tray.menu()),
                   what="Last checked in the tray")
    app.shot("frequent-checks-quiet", show=card)

    # Ann leaves: disabled in Entra; the next check deactivates her, a run like any other.
    tenant.disable(ANN)
    t2 = t1 + datetime.timedelta(minutes=5)
    clock(t2)
    app.wait_until(lambda: runs(app) == [(1, "manual", "succeeded"), (2, "interval", "succeeded")],
                   what="the check that deactivates Ann")
    assert statuses(app)[ANN] == "deactivated"
    assert statuses(app)[CY] == "active"
    history = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-history-title']")
    app.wait_until(lambda: "Frequent check" in app.text(history), what="the run in the history")
    app.wait_until(lambda: "Run #2: 1 deactivated" in shown(), what="Last checked naming the run")
    app.shot("frequent-check-deactivated", show=card)
    app.shot("frequent-check-history", show=history)

    # Off: moving the clock 10 minutes on runs no check.
    box = app.wait_for(By.ID, "entra-checks-on")
    assert box.is_selected()
    box.click()
    app.press(By.ID, "entra-checks-save")
    app.by_text("*", "Saved. Only the nightly run checks now.")
    checked = last_checked(app)
    t3 = t2 + datetime.timedelta(minutes=10)
    clock(t3)
    # The scheduler has looked at t3 (a check would have been due at t2 + 5 minutes).
    app.wait_for_tick(at(t3))
    assert last_checked(app) == checked, "no check while the setting is off"
    assert len(runs(app)) == 2
    assert not any(i["label"].startswith("Last checked") for i in tray.menu()), "the tray drops Last checked"
    app.shot("frequent-checks-off", show=card)

    # The nightly run still happens at 03:00 UTC.
    window = (t0 + datetime.timedelta(days=1)).replace(hour=3)
    clock(window + datetime.timedelta(seconds=30))
    app.wait_until(lambda: runs(app)[-1][1:] == ("scheduled", "succeeded"), what="the nightly run")
    assert len(runs(app)) == 3
