"""The tray, driven as a desktop panel drives it (issue 12): a real StatusNotifierWatcher on
the test's session bus, the menu read with com.canonical.dbusmenu GetLayout and clicked with
Event "clicked". Closing the window destroys it (its WebKit web process ends; without
WebDriver, the network process too); the tray's Open builds a fresh one, which WebDriver then
drives under a new window handle."""

import datetime
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By

import flows
from conftest import APP, cli, close_window, stop, wait_until
from flows import sign_in, statuses

ANN, BOB = "ann@northwind.example", "bob@northwind.example"
# The kernel keeps 15 characters of a process name: WebKitWebProcess.
WEB_PROCESS = "WebKitWebProces"
MENU = ["Sync Now", "Last sync: none yet", "", "Open UniAsset", "Quit"]


def webkit_processes(pid: int) -> dict[int, str]:
    """The WebKit helper processes the app has started (at any depth) and that still run,
    by process id."""
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        procs[int(stat.parent.name)] = (comm, int(rest[1]), rest[0])
    found, parents = {}, {pid}
    while parents:
        children = {p for p, (_, ppid, state) in procs.items() if ppid in parents and state != "Z"}
        found |= {p: procs[p][0] for p in children if procs[p][0].startswith("WebKit")}
        parents = children
    return found


def webkit_children(pid: int) -> list[str]:
    """The names of the app's running WebKit helper processes."""
    return list(webkit_processes(pid).values())


def log_of(env) -> str:
    """The app's log so far."""
    path = Path(env["XDG_DATA_HOME"]) / "app.uniasset.desktop" / "logs" / "UniAsset.log"
    return path.read_text(errors="replace") if path.exists() else ""


def handled(env, item: str) -> int:
    """How many clicks on the tray menu's `item` (its id) the app has handled: it logs each
    once its action is done."""
    return log_of(env).count(f"tray menu: {item} handled")


def close_to_tray(app, tray) -> set:
    """Presses the window's close button; returns the window handles it had. The app stays in
    the tray, without the window's WebKit web process. (The network process stays under
    WebDriver, whose session needs it: see test_closed_window_leaves_no_webkit_process.)"""
    pid = tray.pid()
    handles = set(app.driver.window_handles)
    assert WEB_PROCESS in webkit_children(pid), webkit_children(pid)
    close_window(pid)
    wait_until(lambda: WEB_PROCESS not in webkit_children(pid), "the web process to end")
    assert Path(f"/proc/{pid}").exists(), "closing the window keeps UniAsset running in the tray"
    assert tray.registered(), "the tray item stays"
    return handles


def linked_org(data_dir, env, start_tenant):
    tenant = start_tenant([(ANN, True, False), (BOB, False, False)])
    flows.organization(data_dir, env)
    for email in (ANN, BOB):
        flows.add_user(data_dir, email, email.split("@")[0].title(), entra_id=tenant.accounts[email], env=env)
    flows.connect(data_dir, tenant, env)
    return tenant


def test_tray_item_is_titled_uniasset_and_sync_now_runs_a_tray_sync(tray, launch, data_dir, session_env,
                                                                      start_tenant):
    linked_org(data_dir, session_env, start_tenant)
    app = launch()
    sign_in(app)
    assert tray.item_property("Title") == "UniAsset"
    assert [i["label"] for i in tray.menu()] == MENU
    assert not tray.menu()[1]["enabled"], "the last result is information, not a command"

    tray.click("Sync Now")
    app.wait_until(lambda: app.query("SELECT trigger, result FROM sync_runs") == [("tray", "succeeded")],
                   what="a finished run started from the tray")
    assert statuses(app)[BOB] == "deactivated"
    wait_until(lambda: tray.menu()[1]["label"].startswith("Last sync ("), "the tray's last result")
    label = tray.menu()[1]["label"]
    assert label.endswith("1 deactivated"), label
    app.shot("after-tray-sync")


def test_tray_sync_now_with_nobody_signed_in_opens_the_window_saying_why(tray, launch, data_dir, session_env):
    flows.organization(data_dir, session_env)
    app = launch()
    app.wait_for(By.ID, "signin-email")
    old = close_to_tray(app, tray)

    tray.click("Sync Now")
    app.switch_to_new_window(old)
    notice = app.by_text("*[@role='status']", "Sync Now from the tray did not run")
    assert app.text(notice) == "Sync Now from the tray did not run: Your session has ended. Sign in again."
    app.shot("sign-in-asked-by-tray", show=notice)
    assert tray.menu()[1]["label"] == "Sync Now: Your session has ended. Sign in again."
    assert app.query("SELECT count(*) FROM sync_runs") == [(0,)]
    # The rebuilt window works: signing in there lets the next Sync Now run.
    sign_in(app)


def test_tray_open_after_closing_builds_a_fresh_window_still_signed_in(tray, launch, data_dir, session_env):
    flows.organization(data_dir, session_env)
    app = launch()
    sign_in(app)
    app.driver.execute_script("window.__seenBeforeClose = true")
    old = close_to_tray(app, tray)

    tray.click("Open UniAsset")
    new = app.switch_to_new_window(old)
    app.wait_for(By.XPATH, "//nav[@aria-label='Main']")
    assert app.driver.execute_script("return window.__seenBeforeClose === undefined"), "a freshly loaded page"
    assert WEB_PROCESS in webkit_children(tray.pid())
    flows.open_settings_tab(app, "General")
    app.shot("reopened-from-tray")

    # Open while open: the same window, brought to the front, not a second one. Once the app
    # has handled the click, a second window would already be built.
    opened = handled(session_env, "open")
    tray.click("Open UniAsset")
    wait_until(lambda: handled(session_env, "open") > opened, "the app to handle Open UniAsset")
    assert app.driver.window_handles == [new]


def test_tray_quit_ends_the_app(tray, launch, data_dir, session_env):
    flows.organization(data_dir, session_env)
    app = launch()
    app.wait_for(By.ID, "signin-email")
    pid = tray.pid()
    tray.click("Quit")
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z",
               "the app to end")
    wait_until(lambda: not tray.registered(), "the tray item to go")


def test_closed_window_leaves_no_webkit_process(tray, session_env, data_dir, tmp_path):
    """Without WebDriver, as a person runs it: after the close button no WebKit process is
    left at all, and Open brings the window back (twice, so WebKit starts its network
    process again for the new window)."""
    flows.organization(data_dir, session_env)
    stderr = tmp_path / "app-stderr.txt"
    with open(stderr, "w") as err:
        app = subprocess.Popen([str(APP), "--data-dir", str(data_dir)], env=session_env,
                               stdout=subprocess.DEVNULL, stderr=err)
    try:
        pid = tray.pid()
        assert pid == app.pid
        both = ["WebKitNetworkPr", WEB_PROCESS]
        wait_until(lambda: sorted(webkit_children(pid)) == both, "the window's web and network processes")
        for closed in (1, 2):
            close_window(pid)
            wait_until(lambda: not webkit_children(pid), "every WebKit process to end")
            # The app logs when it has done with a closed window's processes: nothing of
            # this close is still to come that could end the next window's.
            wait_until(lambda: log_of(session_env).count("the closed window's WebKit processes have ended") == closed,
                       "the app to finish closing the window")
            assert app.poll() is None, "closing the window keeps UniAsset running in the tray"
            tray.click("Open UniAsset")
            wait_until(lambda: sorted(webkit_children(pid)) == both, "the web and network processes of the new window")
        assert app.poll() is None
        assert sorted(webkit_children(pid)) == both, "they keep running"
    except Exception as failure:
        # Seen once under load: the tray item's bus name vanished mid-call. Say what the app
        # was doing then, since its log and stderr go with the test's temporary folder.
        raise AssertionError(f"{failure}\napp exit status: {app.poll()}\napp stderr:\n{stderr.read_text()[-3000:]}"
                             f"\napp log:\n{log_of(session_env)[-3000:]}") from failure
    finally:
        stop(app)


def test_in_the_tray_no_gl_driver_is_loaded_and_what_the_app_starts_keeps_its_own_gdk_gl(tray, session_env,
                                                                                          data_dir):
    """Issue 27: started at login, the app has not loaded the GL driver (GDK loads Mesa and
    LLVM to choose visuals unless GDK_GL says not to), and the processes it starts later do not
    inherit the GDK_GL it set for itself (src-tauri/src/drawing.rs)."""
    flows.organization(data_dir, session_env)
    app = subprocess.Popen([str(APP), "--data-dir", str(data_dir), "--minimized"], env=session_env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pid = tray.pid()
        assert pid == app.pid
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "libLLVM" not in maps and "_dri.so" not in maps, "a GL driver is mapped in the tray"
        tray.click("Open UniAsset")
        web = wait_until(lambda: next((p for p, name in webkit_processes(pid).items() if name == WEB_PROCESS), None),
                         "the window's web process")
        environ = Path(f"/proc/{web}/environ").read_bytes().split(b"\0")
        assert not [v for v in environ if v.startswith(b"GDK_GL=")], "GDK_GL was passed on"
    finally:
        stop(app)


def test_tray_offers_renewing_the_secret_from_thirty_days_before_expiry(tray, launch, data_dir, session_env,
                                                                         start_tenant):
    tenant = start_tenant([(ANN, True, False)])
    flows.organization(data_dir, session_env)
    expires = datetime.date.today() + datetime.timedelta(days=40)
    base = tenant.info["base_url"]
    cli(data_dir, "entra", "connect", "--tenant", tenant.info["tenant_id"], "--client-id", tenant.info["client_id"],
        "--client-secret-stdin", "--login-url", base, "--graph-url", base, "--secret-expires", str(expires),
        stdin=tenant.secret, env=session_env)
    app = launch()
    app.wait_for(By.ID, "signin-email")
    assert [i["label"] for i in tray.menu()] == MENU, "40 days before: nothing to renew yet"

    # 20 days before, after the next run: the item names the date, and opens the Entra page.
    app.set_clock(f"{expires - datetime.timedelta(days=20)}T10:00:00Z")
    sign_in(app)
    tray.click("Sync Now")
    label = f"Renew client secret (expires {expires})…"
    wait_until(lambda: label in [i["label"] for i in tray.menu()], "the Renew client secret item")
    old = close_to_tray(app, tray)
    tray.click(label)
    app.switch_to_new_window(old)
    app.wait_for(By.XPATH, "//h2[normalize-space(.)='Microsoft Entra ID']")
    app.by_text("*", f"The client secret expires on {expires}, in 20 days.")
    app.wait_for(By.XPATH, "//button[normalize-space(.)='Renew secret']")
    app.shot("renew-from-tray")


def test_tray_says_back_up_now_after_three_days_without_a_good_backup(tray, launch, data_dir, session_env, tmp_path):
    flows.organization(data_dir, session_env)
    # A folder the daily backup cannot write to: chosen, then a file took its place.
    blocked = tmp_path / "backups"
    blocked.mkdir()
    cli(data_dir, "backup", "settings", "--folder", str(blocked), env=session_env)
    blocked.rmdir()
    blocked.write_text("")
    app = launch()
    app.wait_for(By.ID, "signin-email")
    assert [i["label"] for i in tray.menu()] == MENU, "a new organization: nothing to say yet"

    app.set_clock((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    label = "Back up now (no backup yet)…"
    wait_until(lambda: label in [i["label"] for i in tray.menu()], "the Back up now item")
    # The daily backup's attempt and the tray's label come from separate steps of the
    # scheduler's tick: on a busy machine the label can show first.
    app.wait_until(lambda: app.query("SELECT last_error FROM backup_settings")[0][0],
                   what="the failed daily backup saying why")
    sign_in(app)
    tray.click(label)
    app.wait_for(By.XPATH, "//button[@role='tab'][@aria-selected='true'][contains(., 'General')]")
    app.wait_for(By.ID, "backup-warning")
    app.shot("back-up-from-tray")


def test_tray_counts_overdue_assets_and_opens_leavers(tray, launch, data_dir, session_env):
    flows.organization(data_dir, session_env)
    flows.add_user(data_dir, "dana@northwind.example", "Dana Driver", sign_in="password", env=session_env)
    cli(data_dir, "assets", "add", "--tag", "LAP-7", "--name", "ThinkPad", "--assign", "dana@northwind.example",
        env=session_env)
    cli(data_dir, "users", "deactivate", "dana@northwind.example", env=session_env)
    app = launch()
    app.wait_for(By.ID, "signin-email")
    assert "1 overdue asset to recover…" not in [i["label"] for i in tray.menu()], "due in 14 days"

    app.set_clock((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    label = "1 overdue asset to recover…"
    wait_until(lambda: label in [i["label"] for i in tray.menu()], "the overdue item")
    sign_in(app)
    tray.click(label)
    app.wait_for(By.XPATH, "//button[@role='tab'][@aria-selected='true'][starts-with(normalize-space(.), 'Leavers')]")
    app.by_text("*", "Overdue")
    app.shot("overdue-from-tray")
