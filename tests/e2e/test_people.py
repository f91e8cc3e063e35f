"""Running the organization from the window (issue 10): people, roles, passwords, the
organization's name and plan, the audit log, and people from Microsoft Entra ID."""

import csv

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from flows import (MEMBER_PASSWORD, OWNER_EMAIL, add_user, connect, dialog, open_entra, open_settings_tab,
                   organization, sign_in)

HEADER = "email,name,role,sign_in,entra_object_id\n"


def user_row(app, email):
    return app.by_text("*[@role='row']", email)


def open_user_menu(app, name, item):
    app.press(By.XPATH, f"//button[@aria-label='Actions for {name}']")
    app.press(By.XPATH, f"//*[@role='menuitem'][normalize-space(.)='{item}']")


def menu_items(app, name):
    app.press(By.XPATH, f"//button[@aria-label='Actions for {name}']")
    items = [app.text(e) for e in app.driver.find_elements(By.XPATH, "//*[@role='menuitem']")]
    app.driver.find_element(By.TAG_NAME, "body").send_keys("\ue00c")  # Escape closes the menu
    return items


def sign_out(app):
    app.click("button", "Sign out")
    app.wait_for(By.ID, "signin-email")


def test_add_a_user_set_their_password_and_they_sign_in(launch, data_dir):
    organization(data_dir, plan="team")
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")

    app.click("button", "Add user")
    form = dialog(app, "Add user")
    app.fill("user-form-email", "nina@northwind.example")
    app.fill("user-form-name", "Nina New")
    app.fill("user-form-password", "first light harbour 7")
    app.fill("user-form-confirm", "first light harbour 7")
    app.shot("add-user", show=form)
    form.find_element(By.XPATH, ".//button[normalize-space(.)='Add user']").click()
    app.by_text("*", "Nina New was added.")
    assert app.text(user_row(app, "nina@northwind.example")).split("\n") == [
        "Nina New", "nina@northwind.example", "Member", "Password", "0", "Active"]
    assert app.query("SELECT role, sign_in, status FROM users WHERE email = 'nina@northwind.example'") == [
        ("member", "password", "active")]

    open_user_menu(app, "Nina New", "Set password")
    dialog(app, "Set a password for Nina New")
    app.fill("set-password-new", MEMBER_PASSWORD)
    app.fill("set-password-confirm", MEMBER_PASSWORD)
    app.shot("set-password")
    app.click("button", "Set password")
    app.by_text("*", "Nina New was given a new password.")

    sign_out(app)
    sign_in(app, "nina@northwind.example", MEMBER_PASSWORD)
    app.by_text("*", "Nina New")

    # Everyone changes their own password: the current one first, and this window stays signed in.
    open_settings_tab(app, "General")
    app.fill("own-password-current", MEMBER_PASSWORD)
    app.fill("own-password-new", "north star kettle 88")
    app.fill("own-password-confirm", "north star kettle 88")
    app.click("button", "Change password")
    app.by_text("*", "Your password has been changed.")
    app.shot("own-password-changed", show=app.wait_for(By.ID, "own-password-current"))
    sign_out(app)
    sign_in(app, "nina@northwind.example", "north star kettle 88")
    actions = {a for (a,) in app.query("SELECT action FROM audit_entries")}
    assert {"user.added", "user.password_set", "user.password_changed"} <= actions


def test_import_a_csv_with_bad_rows_then_a_good_one(launch, data_dir, tmp_path):
    organization(data_dir, plan="team")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER +
                   "ann@northwind.example,Ann,member,password,\n"
                   "bob@northwind.example,Bob,boss,password,\n"
                   "not-an-address,Cy,member,google,\n"
                   f"{OWNER_EMAIL},Olivia Again,member,password,\n")
    good = tmp_path / "good.csv"
    good.write_text(HEADER +
                    "ann@northwind.example,Ann Archer,member,password,\n"
                    "ben@northwind.example,Ben Baker,admin,google,\n")
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")

    app.click("button", "Import CSV")
    box = dialog(app, "Import users from CSV")
    app.click("button", "Choose a CSV file")
    app.choose_file("Import users from a CSV file", bad)
    problems = app.wait_for(By.XPATH, "//ul[@aria-label='Problems']")
    lines = [app.text(li) for li in problems.find_elements(By.TAG_NAME, "li")]
    assert [line.split(":")[0] for line in lines] == ["Line 3", "Line 4", "Line 5"], lines
    assert "boss" in lines[0] and OWNER_EMAIL in lines[2]
    assert not box.find_element(By.XPATH, ".//button[starts-with(normalize-space(.), 'Import')]").is_enabled()
    app.shot("import-bad-rows", show=box)
    assert app.query("SELECT count(*) FROM users") == [(1,)]

    app.click("button", "Choose another file")
    app.choose_file("Import users from a CSV file", good)
    app.by_text("*", "2 users ready to import.")
    app.shot("import-preview", show=box)
    app.click("button", "Import 2 users")
    app.by_text("*", "Imported 2 users.")
    assert app.query("SELECT email, display_name, role, sign_in FROM users WHERE id > 1 ORDER BY id") == [
        ("ann@northwind.example", "Ann Archer", "member", "password"),
        ("ben@northwind.example", "Ben Baker", "admin", "google"),
    ]
    user_row(app, "ben@northwind.example")


def test_change_a_role_and_an_admin_cannot_edit_the_owner(launch, data_dir):
    organization(data_dir, plan="team")
    add_user(data_dir, "adam@northwind.example", "Adam Archer", sign_in="password")
    add_user(data_dir, "alice@northwind.example", "Alice Admin", role="admin", sign_in="password",
             password=MEMBER_PASSWORD)
    app = launch()
    sign_in(app)
    open_settings_tab(app, "Users")

    open_user_menu(app, "Adam Archer", "Edit")
    form = dialog(app, "Edit Adam Archer")
    form.find_element(By.ID, "user-form-role").send_keys("Admin")
    app.shot("edit-user", show=form)
    form.find_element(By.XPATH, ".//button[normalize-space(.)='Save']").click()
    app.by_text("*", "Adam Archer was saved.")
    assert app.query("SELECT role FROM users WHERE email = 'adam@northwind.example'") == [("admin",)]
    assert app.query("SELECT detail FROM audit_entries WHERE action = 'user.edited'")[0][0].count("Admin") >= 1

    sign_out(app)
    sign_in(app, "alice@northwind.example", MEMBER_PASSWORD)
    open_settings_tab(app, "Users")
    assert "Edit" not in menu_items(app, "Olivia Owner")
    assert "Edit" in menu_items(app, "Adam Archer")
    # The core refuses what the window does not offer: the same rule from the command line.
    done = app.cli("users", "edit", OWNER_EMAIL, "--role", "member", check=False)
    assert done.returncode == 1 and "last active Owner" in done.stderr, done.stderr
    assert app.query("SELECT role FROM users WHERE email = ?", OWNER_EMAIL) == [("owner",)]


def test_rename_and_move_to_enterprise_makes_the_entra_toggle_available(launch, data_dir, session_env, start_tenant):
    tenant = start_tenant([("ada@contoso.example", True, False)])
    organization(data_dir, env=session_env, plan="team")
    connect(data_dir, tenant, session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    assert not app.wait_for(By.ID, "entra-auto-switch").is_enabled()
    assert "Enterprise" in app.text(app.wait_for(By.XPATH, "//section[.//*[@id='entra-auto-switch']]"))

    open_settings_tab(app, "General")
    app.fill("general-org-name", "Northwind Trading Co.")
    app.click("button", "Rename")
    app.wait_for(By.XPATH, "//nav//*[normalize-space(.)='Northwind Trading Co.'] | //aside//*[normalize-space(.)='Northwind Trading Co.']")
    assert app.query("SELECT name FROM organization") == [("Northwind Trading Co.",)]

    Select(app.wait_for(By.ID, "general-org-plan")).select_by_value("enterprise")
    app.click("button", "Change plan")
    confirm = dialog(app, "Change the plan to Enterprise?")
    assert "auto-deprovisioning" in app.text(confirm).lower()
    app.shot("plan-change-confirmation", show=confirm)
    app.click("button", "Change to Enterprise")
    app.by_text("*", "The plan is now Enterprise.")
    app.shot("organization-renamed-and-enterprise")
    assert app.query("SELECT plan FROM organization") == [("enterprise",)]

    open_entra(app)
    app.wait_until(lambda: app.wait_for(By.ID, "entra-auto-switch").is_enabled(),
                   what="the auto-deprovision switch to be available")
    app.shot("auto-deprovision-available", show=app.wait_for(By.ID, "entra-auto-switch"))


def test_read_filter_and_export_the_audit_log(launch, data_dir, tmp_path):
    organization(data_dir, plan="team")
    add_user(data_dir, "eve@northwind.example", "=HYPERLINK(\"http://evil.example\")", sign_in="google")
    add_user(data_dir, "dan@northwind.example", "Dan Driver", sign_in="google")
    app = launch()
    app.cli("users", "deactivate", "dan@northwind.example")
    sign_in(app)
    open_settings_tab(app, "Audit log")
    table = app.wait_for(By.XPATH, "//*[@aria-label='Audit entries']")
    rows = table.find_elements(By.XPATH, ".//tbody/tr")
    assert len(rows) >= 4
    assert "Dan Driver" in app.text(rows[0]) or "dan@northwind.example" in app.text(rows[0])
    app.shot("audit-log", show=table)

    app.fill("audit-person", "dan@northwind.example")
    app.click("button", "Apply filters")
    # Read in one script call: the table is re-rendered when the filtered page arrives.
    def shown():
        return app.driver.execute_script(
            "return [...document.querySelectorAll(\"[aria-label='Audit entries'] tbody tr\")].map(r => r.innerText)")
    app.wait_until(lambda: (rows := shown()) and all("dan@northwind.example" in r for r in rows),
                   what="only Dan's entries")
    assert len(shown()) == 2  # added, deactivated
    app.shot("audit-log-filtered")

    app.click("button", "Clear")
    app.click("button", "Export CSV")
    target = tmp_path / "audit.csv"
    app.choose_file("Export the audit log", target, save=True)
    app.by_text("*", "Exported")
    with open(target, newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), cells
    assert any("HYPERLINK" in c for c in cells)


def test_add_people_from_entra(launch, data_dir, session_env, start_tenant):
    tenant = start_tenant([
        ("ada@contoso.example", True, False),
        ("ben@contoso.example", True, False),
        ("erin@contoso.example", True, False),
        ("pat@contoso.example", True, False),
        ("dora@contoso.example", False, False),
        ("gone@contoso.example", True, True),
    ], guests=["guest_fabrikam.example#EXT#@contoso.example"])
    organization(data_dir, env=session_env)
    connect(data_dir, tenant, session_env)
    add_user(data_dir, "erin@contoso.example", "Erin Existing", sign_in="microsoft", env=session_env)
    add_user(data_dir, "pat@contoso.example", "Pat Password", sign_in="password", env=session_env)
    app = launch()
    sign_in(app)
    open_entra(app)
    app.click("button", "Add people from Entra ID")
    box = dialog(app, "Add people from Microsoft Entra ID")
    listed = app.wait_for(By.XPATH, "//ul[@aria-label='People in Microsoft Entra ID']")
    text = app.text(listed)
    for offered in ("ada@contoso.example", "ben@contoso.example", "erin@contoso.example", "pat@contoso.example"):
        assert offered in text, text
    for hidden in ("dora@", "gone@", "guest_"):
        assert hidden not in text, text
    app.click("label", "Select all")
    app.shot("add-people-from-entra", show=box)
    app.click("button", "Add 3 people")
    app.by_text("*", "Added: 2 people")
    app.shot("people-added", show=app.wait_for(By.XPATH, "//section[@aria-labelledby='entra-people-title']"))

    rows = app.query("SELECT email, sign_in, entra_object_id FROM users WHERE email LIKE '%@contoso.example' ORDER BY email")
    assert rows == [
        ("ada@contoso.example", "microsoft", tenant.accounts["ada@contoso.example"]),
        ("ben@contoso.example", "microsoft", tenant.accounts["ben@contoso.example"]),
        ("erin@contoso.example", "microsoft", tenant.accounts["erin@contoso.example"]),
        ("pat@contoso.example", "password", None),
    ]
