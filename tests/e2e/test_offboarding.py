"""Offboarding finished (issue 25) through the real window: ending a leaver's Microsoft
sessions, allowed through an administrator's sign-in, then a leaver disabled in Entra is
deactivated by Sync Now with their sessions ended; "Offboard…" on an active person; and
"Check now" on one person."""

from selenium.webdriver.common.by import By

import flows
from conftest import cli
from flows import open_assets_tab, open_entra, open_settings_tab, sign_in, statuses

ANN, BOB = "ann@northwind.example", "bob@northwind.example"
GRACE = "grace@contoso.onmicrosoft.com"


def linked_org(data_dir, env, start_tenant, grants=()):
    """Ann and Bob linked to a simulated tenant where Grace is a Global Administrator."""
    tenant = start_tenant([(ANN, True, False), (BOB, True, False), (GRACE, True, False)],
                          roles={GRACE: ["Global Administrator"]}, grants=grants)
    flows.organization(data_dir, env)
    for email in (ANN, BOB):
        flows.add_user(data_dir, email, email.split("@")[0].title(), entra_id=tenant.accounts[email], env=env)
    flows.connect(data_dir, tenant, env)
    return tenant


def test_allowed_through_a_sign_in_a_leaver_is_signed_out_by_sync_now(launch, data_dir, session_env, start_tenant):
    tenant = linked_org(data_dir, session_env, start_tenant)
    cli(data_dir, "assets", "add", "--tag", "LAPTOP-3", "--name", "ThinkPad X1", "--serial", "PF-333",
        "--assign", ANN, env=session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    card = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-sessions-title']")
    app.press(By.ID, "entra-end-sessions")
    app.by_text("*", "UniAsset is not allowed to end sessions yet")
    app.shot("end-sessions-not-allowed", show=card)
    assert app.query("SELECT end_sessions_since IS NOT NULL FROM deprovision_settings") == [(1,)]

    app.press(By.XPATH, "//button[normalize-space(.)='Allow UniAsset to end sessions']")
    flows.dialog(app, "Allow UniAsset to end sessions")
    flows.run_sign_in(app, tenant, GRACE, custom_cloud=False)
    app.by_text("*", "Allowed. UniAsset now ends leavers' sessions")
    assert not app.driver.find_elements(By.XPATH, "//*[contains(., 'not allowed to end sessions yet')][@class='warning']")
    app.shot("end-sessions-allowed", show=card)

    tenant.disable(ANN)
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    last = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-last-title']")
    app.wait_until(lambda: "Microsoft sessions ended" in app.text(last), what="the sessions ended in the report")
    app.shot("sync-now-sessions-ended", show=last)
    assert statuses(app)[ANN] == "deactivated"
    assert tenant.status(ANN)["sessions_revoked_at"], "the simulator saw revokeSignInSessions"
    assert tenant.status(BOB)["sessions_revoked_at"] is None
    assert app.query("SELECT outcome FROM entra_session_ends") == [("ended",)]

    # Her laptop comes back; the evidence shows who received it, the target met and the
    # sessions ended.
    open_assets_tab(app, "Leavers")
    app.press(By.XPATH, "//button[@aria-label='Check in LAPTOP-3']")
    back = flows.dialog(app, "Check in LAPTOP-3?")
    app.fill("return-note", "Scratched lid")
    back.find_element(By.XPATH, ".//button[normalize-space(.)='Check in']").click()
    app.by_text("*", "Nobody who left still holds an asset.")
    open_assets_tab(app, "Evidence")
    table = app.wait_for(By.XPATH, "//table[contains(., 'ann@northwind.example')]")
    text = app.text(table)
    for said in ("Disabled in Entra", tenant.accounts[ANN], "Microsoft sessions ended", "Within target",
                 "received by Olivia Owner", "Scratched lid", "serial PF-333"):
        assert said in text, (said, text)
    app.shot("evidence-auditor", show=table)


def test_check_now_on_one_person(launch, data_dir, session_env, start_tenant):
    tenant = linked_org(data_dir, session_env, start_tenant)
    tenant.disable(BOB)
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")
    app.press(By.XPATH, "//button[@aria-label='Actions for Bob']")
    app.press(By.XPATH, "//*[@role='menuitem'][normalize-space(.)='Check now']")
    app.by_text("*", f"{BOB}: deactivated (disabled in Entra).")
    app.shot("check-now")
    assert statuses(app)[BOB] == "deactivated"
    assert statuses(app)[ANN] == "active"
    assert app.query("SELECT trigger, deactivated FROM sync_runs") == [("person", 1)]


def test_offboard_disables_in_entra_ends_sessions_and_lists_the_laptop(launch, data_dir, session_env, start_tenant):
    tenant = linked_org(data_dir, session_env, start_tenant,
                        grants=("User.EnableDisableAccount.All", "User.RevokeSessions.All"))
    cli(data_dir, "assets", "add", "--tag", "LAPTOP-7", "--name", "ThinkPad T14", "--serial", "PF-123",
        "--assign", ANN, env=session_env)
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")
    app.press(By.XPATH, "//button[@aria-label='Actions for Ann']")
    app.press(By.XPATH, "//*[@role='menuitem'][normalize-space(.)='Offboard…']")
    box = flows.dialog(app, "Offboard Ann?")
    app.wait_until(lambda: "LAPTOP-7" in app.text(box), what="the assets to recover")
    assert "ThinkPad T14, serial PF-123" in app.text(box)
    assert tenant.status(ANN)["enabled"], "the dialog's plan changes nothing"
    app.shot("offboard-confirm", show=box)
    app.press(By.XPATH, "//*[@role='alertdialog']//button[normalize-space(.)='Offboard']")
    app.by_text("*", f"{ANN} was offboarded: their account is disabled in Microsoft Entra ID")
    app.shot("offboarded")
    assert not tenant.status(ANN)["enabled"], "disabled in Entra"
    assert tenant.status(ANN)["sessions_revoked_at"], "sessions ended"
    assert statuses(app)[ANN] == "deactivated"
    assert app.query("SELECT disabled_in_entra_at IS NOT NULL FROM offboardings") == [(1,)]


def test_set_it_up_for_me_asks_for_ending_sessions_when_it_is_on(launch, data_dir, session_env, start_tenant):
    """Ending sessions turned on before connecting: Set it up for me's one sign-in grants the
    permission with the rest, and Sync Now ends a leaver's sessions."""
    tenant = start_tenant([(ANN, True, False), (BOB, True, False), (GRACE, True, False)],
                          roles={GRACE: ["Global Administrator"]})
    flows.organization(data_dir, session_env)
    for email in (ANN, BOB):
        flows.add_user(data_dir, email, email.split("@")[0].title(), entra_id=tenant.accounts[email], env=session_env)
    cli(data_dir, "entra", "end-sessions", "on", env=session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    app.click("button", "Set it up for me")
    flows.run_sign_in(app, tenant, GRACE, custom_cloud=True)
    app.by_text("*", "UniAsset registered its app")
    (roles,) = app.query("SELECT granted_roles FROM entra_connection")[0]
    assert "User.RevokeSessions.All" in (roles or ""), roles
    card = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-sessions-title']")
    assert "not allowed to end sessions" not in app.text(card), app.text(card)

    tenant.disable(ANN)
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    last = app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-last-title']")
    app.wait_until(lambda: "Microsoft sessions ended" in app.text(last), what="the sessions ended in the report")
    assert tenant.status(ANN)["sessions_revoked_at"], "the simulator saw revokeSignInSessions"


def test_manager_typed_or_read_from_entra(launch, data_dir, session_env, start_tenant):
    tenant = linked_org(data_dir, session_env, start_tenant)
    tenant.set_manager(ANN, BOB)
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")

    # A bad address is refused in the dialog, which stays open; nothing is kept.
    app.press(By.XPATH, "//button[@aria-label='Actions for Ann']")
    app.press(By.XPATH, "//*[@role='menuitem'][normalize-space(.)='Manager…']")
    box = flows.dialog(app, "Manager of Ann")
    app.fill("manager-email", "not an address")
    box.find_element(By.XPATH, ".//button[normalize-space(.)='Save']").click()
    app.wait_until(lambda: "is not a valid email address" in app.text(box), what="the refusal")
    app.shot("manager-refused", show=box)
    assert app.query("SELECT count(*) FROM user_managers") == [(0,)]

    # Entra's answer instead: Bob manages Ann there.
    from selenium.webdriver.support.ui import Select
    Select(app.wait_for(By.ID, "manager-source")).select_by_visible_text("The manager in Microsoft Entra ID")
    box.find_element(By.XPATH, ".//button[normalize-space(.)='Save']").click()
    app.by_text("*", f"The manager of Ann is bob <{BOB}>.")
    assert app.query("SELECT email, source FROM user_managers") == [(BOB, "entra")]
