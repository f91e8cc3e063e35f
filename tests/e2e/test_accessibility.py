"""Every screen and every dialog of the window, as the demo organization fills them (people,
assets, leavers, runs), checked by axe-core (npm `axe-core`, the copy in ui/node_modules) and
for content wider than its box: no table, card or tab bar cut off or spilling out, at the
default size and at 1024×700 (issue 23). Every finding is collected, then reported at once."""

import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import WAIT_SECONDS

AXE = Path(__file__).resolve().parents[2] / "ui" / "node_modules" / "axe-core" / "axe.min.js"

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] }).then(
  (r) => done(r.violations.map((v) => `${v.id} (${v.help}): ` +
    v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; "))),
  (e) => done([`axe failed: ${e}`]));
"""

# A box whose content is wider than it: cut off (overflow hidden or visible), or scrolling
# where the keyboard cannot reach (a scroller that is not focusable and holds nothing that is).
OVERFLOWING = """
const boxes = document.querySelectorAll(
  ".card, .table-box, table, [role=table], [role=tablist], [role=dialog], [role=alertdialog], .page");
const out = [];
for (const box of boxes) {
  if (!box.getClientRects().length) continue;
  const extra = box.scrollWidth - box.clientWidth;
  if (extra <= 1) continue;
  const style = getComputedStyle(box);
  const scrolls = ["auto", "scroll"].includes(style.overflowX);
  const reachable = box.tabIndex >= 0 || box.querySelector("a[href], button, input, select, [tabindex='0']");
  if (scrolls && reachable) continue;
  const name = box.getAttribute("aria-label") || box.querySelector("h1, h2, h3, caption, th")?.innerText || "";
  out.push(`${box.tagName.toLowerCase()}.${[...box.classList].join(".")} “${name.trim().slice(0, 40)}” ` +
           `is ${extra}px wider than its box (overflow-x: ${style.overflowX})`);
}
return out;
"""


class Findings:
    def __init__(self, app):
        self.app = app
        self.found: list[str] = []
        self.axe = AXE.read_text()

    def check(self, place: str, layout=True):
        app = self.app
        # Injected as WebDriver's own script: the window's content security policy refuses
        # eval, rightly. axe.min.js puts `axe` on window.
        if not app.driver.execute_script("return !!window.axe"):
            app.driver.execute_script(self.axe)
        for v in app.driver.execute_async_script(RUN_AXE):
            self.found.append(f"{place}: axe: {v}")
        if layout:
            size = app.driver.execute_script("return `${innerWidth}×${innerHeight}`")
            for o in app.driver.execute_script(OVERFLOWING):
                self.found.append(f"{place} at {size}: {o}")
        app.shot(place.replace(" ", "-").replace("→", "").lower())


def dialog(app):
    return app.wait_for(By.CSS_SELECTOR, "[role=dialog], [role=alertdialog]")


def close_dialog(app):
    box = dialog(app)
    box.send_keys(Keys.ESCAPE)
    app.wait_until(lambda: not app.driver.find_elements(By.CSS_SELECTOR, "[role=dialog], [role=alertdialog]"),
                   what="the dialog to close")


def open_dialog(app, findings, place, opener):
    opener()
    dialog(app)
    findings.check(place)
    close_dialog(app)


def menu_item(app, row_label, item):
    assert row_label, "a row's name to open its menu"
    app.press(By.XPATH, f"//button[@aria-label='Actions for {row_label}']")
    app.press(By.XPATH, f"//*[@role='menuitem'][normalize-space(.)='{item}']")


def nav(app, name):
    app.press(By.XPATH, f"//nav[@aria-label='Main']//button[contains(., '{name}')]")
    app.wait_for(By.XPATH, f"//h1[normalize-space(.)='{name}']")


def tab(app, name):
    app.press(By.XPATH, f"//button[@role='tab'][contains(., '{name}')]")
    app.wait_until(lambda: app.driver.find_element(
        By.XPATH, f"//button[@role='tab'][contains(., '{name}')]").get_attribute("aria-selected") == "true",
        what=f"the {name} tab")


def resize(app, width, height):
    """The window's inner size. WebDriver's set-window-rect first; WebKitWebDriver may not
    move a Tauri window, so xdotool (no window manager under Xvfb: the size is the X window's)."""
    inner = lambda: app.driver.execute_script("return [innerWidth, innerHeight]")
    try:
        app.driver.set_window_size(width, height)
    except Exception:
        pass
    if inner() != [width, height]:
        ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "UniAsset"], env=app.env,
                             capture_output=True, text=True, timeout=WAIT_SECONDS, check=True).stdout.split()
        for window in ids:
            subprocess.run(["xdotool", "windowsize", "--sync", window, str(width), str(height)], env=app.env,
                           timeout=WAIT_SECONDS, check=True)
    app.wait_until(lambda: inner() == [width, height], what=f"the window at {width}×{height} (now {inner()})")


def screens(app, findings, size):
    nav(app, "Home")
    findings.check(f"Home {size}")
    nav(app, "People")
    app.wait_for(By.XPATH, "//*[@role='rowgroup']//*[@role='row']")
    findings.check(f"People {size}")
    nav(app, "Assets")
    for name in ("Register", "Leavers", "Evidence"):
        tab(app, name)
        findings.check(f"Assets {name} {size}")
    nav(app, "Settings")
    for name in ("General", "Users", "Integrations", "Audit log"):
        tab(app, name)
        findings.check(f"Settings {name} {size}")
    tab(app, "Integrations")
    app.press(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
    app.wait_for(By.XPATH, "//h2[normalize-space(.)='Microsoft Entra ID']")
    findings.check(f"Entra {size}")


def test_axe_and_layout_on_every_screen_and_dialog(launch, tmp_path):
    app = launch()
    app.click("button", "Explore with a demo organization")
    app.wait_for(By.XPATH, "//nav[@aria-label='Main']")
    findings = Findings(app)

    # A run first, so Leavers, Evidence and the history have rows.
    nav(app, "Settings")
    tab(app, "Integrations")
    app.press(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
    app.press(By.XPATH, "//button[contains(., 'Sync Now')]")
    app.wait_until(lambda: app.query("SELECT result FROM sync_runs") == [("succeeded",)], what="the demo's sync")

    screens(app, findings, "1180×760")
    resize(app, 1024, 700)
    screens(app, findings, "1024×700")

    # The dialogs, at the smaller size.
    nav(app, "People")
    first = app.text(app.wait_for(By.XPATH, "(//*[@role='rowgroup']//*[@role='row'])[1]//*[@role='cell'][1]"))
    open_dialog(app, findings, "Add user", lambda: app.click("button", "Add user"))
    open_dialog(app, findings, "User details", lambda: menu_item(app, first, "Details"))
    open_dialog(app, findings, "Edit user", lambda: menu_item(app, first, "Edit"))
    rows = "//*[@role='rowgroup']//*[@role='row']"
    active = "[.//*[@role='cell'][6][starts-with(normalize-space(.), 'Active')]]"
    member = app.text(app.wait_for(By.XPATH, f"({rows}[.//*[@role='cell'][3][normalize-space(.)='Member']]{active})[1]"
                                             "//*[@role='cell'][1]"))
    open_dialog(app, findings, "Deactivate", lambda: menu_item(app, member, "Deactivate"))
    Select(app.wait_for(By.ID, "user-sign-in")).select_by_visible_text("Microsoft")
    linked = app.text(app.wait_for(By.XPATH, f"({rows}[.//*[@role='cell'][3][normalize-space(.)='Member']]"
                                             f"[.//*[@role='cell'][4][normalize-space(.)='Microsoft']]{active})[1]"
                                             "//*[@role='cell'][1]"))
    open_dialog(app, findings, "Offboard", lambda: menu_item(app, linked, "Offboard…"))
    # Only the rows in view exist (a virtual list): the filter brings a password user up.
    Select(app.wait_for(By.ID, "user-sign-in")).select_by_visible_text("Password")
    by_password = app.text(app.wait_for(By.XPATH, f"({rows}[.//*[@role='cell'][3][normalize-space(.)='Member']]"
                                                  f"[.//*[@role='cell'][4][normalize-space(.)='Password']]{active})[1]"
                                                  "//*[@role='cell'][1]"))
    open_dialog(app, findings, "Set password", lambda: menu_item(app, by_password, "Set password"))
    csv = tmp_path / "people.csv"
    csv.write_text("email,name,role,sign_in,entra_object_id\n" + "".join(
        f"person{i}@northwind.example,Person {i},member,password,\n" for i in range(40)))
    app.click("button", "Import CSV")
    dialog(app)
    app.click("button", "Choose a CSV file")
    app.choose_file("Import users from a CSV file", csv)
    app.by_text("*", "40 users ready to import.")
    findings.check("Import CSV preview")
    close_dialog(app)

    nav(app, "Assets")
    tab(app, "Register")
    open_dialog(app, findings, "Add asset", lambda: app.click("button", "Add asset"))
    asset = app.text(app.wait_for(By.XPATH, "(//table//tbody/tr)[1]/td[1]"))
    open_dialog(app, findings, "Asset details", lambda: menu_item(app, asset, "Details"))
    open_dialog(app, findings, "Edit asset", lambda: menu_item(app, asset, "Edit…"))
    tab(app, "Leavers")
    open_dialog(app, findings, "Check in", lambda: app.press(By.XPATH, "//button[starts-with(normalize-space(.), 'Check in')]"))
    open_dialog(app, findings, "Mark lost", lambda: app.press(By.XPATH, "//button[starts-with(normalize-space(.), 'Mark lost')]"))
    tab(app, "Evidence")
    app.press(By.XPATH, "//button[normalize-space(.)='Print…']")
    app.wait_for(By.CSS_SELECTOR, ".print-view")
    findings.check("Evidence print view")
    app.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    app.wait_until(lambda: not app.driver.find_elements(By.CSS_SELECTOR, ".print-view"), what="the print view to close")

    nav(app, "Settings")
    tab(app, "General")
    open_dialog(app, findings, "Set passphrase", lambda: app.press(By.XPATH, "//button[normalize-space(.)='Set passphrase…']"))
    open_dialog(app, findings, "Restore", lambda: app.press(By.ID, "restore-backup-open"))
    Select(app.wait_for(By.ID, "general-org-plan")).select_by_visible_text("Team")
    open_dialog(app, findings, "Change plan", lambda: app.press(By.XPATH, "//button[normalize-space(.)='Change plan…']"))
    tab(app, "Integrations")
    app.press(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
    open_dialog(app, findings, "Disconnect", lambda: app.click("button", "Disconnect"))

    assert not findings.found, "\n".join(findings.found)
