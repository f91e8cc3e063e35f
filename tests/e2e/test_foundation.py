"""First run, sign-in and Settings → Users through the real window (issue 2)."""

from selenium.webdriver.common.by import By

from conftest import cli
from flows import MEMBER_PASSWORD, OWNER_EMAIL, OWNER_PASSWORD, fill_setup, organization as set_up_with_cli


def sign_in(app, email, password):
    app.fill("signin-email", email)
    app.fill("signin-password", password)
    app.click("button", "Sign in")


def test_first_run_setup_signs_the_owner_in_to_home_then_users(launch):
    app = launch()
    fill_setup(app)
    app.shot("first-run-setup")
    app.click("button", "Create organization")

    # Signed in already: Home, with the getting-started list.
    app.by_text("h1", "Home")
    app.by_text("h2", "Getting started")
    assert not app.driver.find_elements(By.ID, "signin-password")
    app.shot("home-after-setup")

    app.click("button", "Settings")
    app.click("button", "Users")
    row = app.by_text("*[@role='row']", OWNER_EMAIL)
    assert app.text(row).split("\n") == ["Olivia Owner", OWNER_EMAIL, "Owner", "Password", "0", "Active"]
    app.shot("settings-users")

    with app.db() as db:
        assert db.execute("SELECT name, plan FROM organization").fetchone() == ("Northwind Traders", "enterprise")
        assert db.execute("SELECT role, status FROM users").fetchall() == [("owner", "active")]
        assert db.execute("SELECT count(*) FROM sessions WHERE ended_at IS NULL").fetchone() == (1,)


def test_setup_refuses_a_weak_password_and_creates_nothing(launch):
    app = launch()
    app.fill("setup-name", "Northwind Traders")
    app.fill("setup-owner-name", "Olivia Owner")
    app.fill("setup-owner-email", OWNER_EMAIL)
    app.fill("setup-password", "password123")
    app.fill("setup-confirm", "password123")
    app.click("button", "Create organization")
    assert "too easy to guess" in app.alert_text()
    app.shot("weak-password-refused")
    with app.db() as db:
        assert db.execute("SELECT count(*) FROM organization").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_a_deactivated_user_cannot_sign_in(launch, data_dir):
    set_up_with_cli(data_dir)
    cli(data_dir, "users", "add", "--email", "leo@northwind.example", "--name", "Leo Leaver",
        "--role", "member", "--sign-in", "microsoft")
    cli(data_dir, "users", "set-password", "leo@northwind.example", "--password-stdin",
        stdin=MEMBER_PASSWORD)
    cli(data_dir, "users", "deactivate", "leo@northwind.example")

    app = launch()
    sign_in(app, "leo@northwind.example", MEMBER_PASSWORD)
    assert app.alert_text() == "This account is deactivated. Contact an administrator of your organization."
    app.shot("deactivated-sign-in-refused")
    with app.db() as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


def test_users_filter_by_status_with_counts(launch, data_dir, tmp_path):
    set_up_with_cli(data_dir)
    csv = tmp_path / "people.csv"
    csv.write_text(
        "email,name,role,sign_in,entra_object_id\n"
        "ann@northwind.example,Ann Admin,admin,password,\n"
        "bob@northwind.example,Bob Builder,member,microsoft,6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11\n"
        "cy@northwind.example,Cy Google,member,google,\n"
    )
    cli(data_dir, "users", "import", str(csv))
    cli(data_dir, "users", "deactivate", "bob@northwind.example")

    app = launch()
    sign_in(app, OWNER_EMAIL, OWNER_PASSWORD)
    app.click("button", "Settings")
    app.click("button", "Users")
    app.click("button", "Deactivated (1)")
    app.by_text("*[@role='row']", "bob@northwind.example")
    rows = [r for r in app.driver.find_elements(By.CSS_SELECTOR, "[role=rowgroup] [role=row]") if r.is_displayed()]
    assert len(rows) == 1
    assert "Deactivated manually" in app.text(rows[0])
    app.shot("users-filtered-deactivated")
    app.click("button", "All (4)")
    app.by_text("*[@role='row']", "cy@northwind.example")


def test_a_damaged_database_is_reported_and_left_alone(launch, data_dir):
    data_dir.mkdir(parents=True)
    junk = b"not a database " * 1000
    (data_dir / "uniasset.db").write_bytes(junk)
    app = launch()
    assert "is damaged or is not a UniAsset database" in app.alert_text()
    app.shot("damaged-database")
    assert (data_dir / "uniasset.db").read_bytes() == junk
    (data_dir / "uniasset.db").rename(data_dir / "uniasset.db.damaged")
    app.click("button", "Try again")
    app.by_text("h1", "Set up your organization")
