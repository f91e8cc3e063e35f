#!/usr/bin/env python3
"""Times UniAsset Desktop in its real window, as a person uses it (a benchmark that prints
figures; it asserts nothing):

- launch → first screen: spawn (over WebDriver) until the sign-in screen's heading shows;
- Settings → Users at 10,000 people: from a keystroke in the search (typing a query one key at
  a time), a click on a status filter, and clearing the search, to the list updated. Measured
  inside the page: a capture-phase keydown/mousedown listener stamps the action, a
  MutationObserver on the list (everything under the Users tab but its toolbar) stamps the last
  change of the update it caused; "painted" is the frame after that change;
- the Entra page opening with 1,000 runs in its history (click → history table drawn).

Data goes in through the product's own paths: `uniasset org init`, `uniasset users import` of a
generated CSV (10,000 people, about 1 in 20 then deactivated with `uniasset users
deactivate`), and 1,000 real `uniasset entra sync` runs against the project's Graph simulator.
The same data serves every binary. Pass a second binary (e.g. one built from main, saved
aside) to print a baseline in the same run.

    cargo build -p uniasset-desktop -p uniasset-cli -p uniasset-graph-sim
    xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh \\
        tests/e2e/.venv/bin/python scripts/bench-window.py target/debug/uniasset-desktop [BEFORE_BINARY]

The `uniasset` CLI and `graph-sim` are taken from beside the first binary (or --cli/--graph-sim).
"""

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from ports import free_port  # noqa: E402

OWNER_EMAIL = "olivia@northwind.example"
OWNER_PASSWORD = "plum orchard lantern 42"
PEOPLE = 10_000
RUNS = 1_000
QUERY = "martin"  # typed one key at a time; a key that changes who matches changes the list
REPEATS = 5
QUIET_MS = 400  # an update is over when the list has not changed for this long
# An action whose list has not changed after this long is counted as a miss: some do miss
# (a loaded run took minutes when each waited the full WAIT_SECONDS below).
UPDATE_SECONDS = 10
# The ceiling of every wait on a condition (the driver answering, a screen, a list update, the
# app ending): far above any figure, so that a busy machine gives slow figures, not errors.
WAIT_SECONDS = 90
FIRST = "Ann Ben Cy Dana Eli Fay Gus Hana Ivan Jo Kai Lena Marta Nico Omar Pia Quinn Rosa Sam Tara Uma Vic Wes Zoe".split()
LAST = ("Archer Baker Carter Dalton Evans Fisher Garcia Hughes Ingram Jensen Keller Lopez Martin Nolan Ortiz Price "
        "Reyes Santos Turner Underwood Vance Walker Young Zimmer").split()


class Cli:
    def __init__(self, path: Path, data: Path):
        self.path, self.data = path, data

    def __call__(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run([str(self.path), "--data-dir", str(self.data), *args], input=stdin,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"uniasset {' '.join(args)}: {done.stderr}{done.stdout}")
        return done.stdout


def seed_people(cli: Cli, work: Path) -> list[tuple[str, str]]:
    """Everyone the Users list may show, as (name, email)."""
    cli("org", "init", "--name", "Northwind Traders", "--plan", "enterprise", "--owner-email", OWNER_EMAIL,
        "--owner-name", "Olivia Owner", "--owner-password-stdin", stdin=OWNER_PASSWORD + "\n")
    rng = random.Random(12)
    rows, emails = [], []
    for i in range(PEOPLE - 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{i}@northwind.example"
        emails.append(email)
        sign_in = rng.choice(["password", "google", "microsoft"])
        role = "admin" if i % 50 == 0 else "member"
        rows.append(f"{email},{first} {last},{role},{sign_in},")
    csv = work / "people.csv"
    csv.write_text("email,name,role,sign_in,entra_object_id\n" + "\n".join(rows) + "\n")
    cli("users", "import", str(csv))
    for email in emails[::20]:
        cli("users", "deactivate", email)
    return [("Olivia Owner", OWNER_EMAIL), ("Linked Person", "linked@northwind.example")] + [
        (row.split(",")[1], row.split(",")[0]) for row in rows]


def seed_runs(cli: Cli, sim: Path, work: Path) -> subprocess.Popen:
    """A connected tenant and RUNS Sync Now runs from the command line; returns the simulator,
    which must outlive the app (the Entra page may ask it)."""
    oid = "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11"
    (work / "tenant.json").write_text(json.dumps([{"id": oid, "upn": "linked@northwind.example", "enabled": True}]))
    proc = subprocess.Popen([str(sim), "--seed", str(work / "tenant.json")], stdout=subprocess.PIPE, text=True)
    info = json.loads(proc.stdout.readline())
    cli("users", "add", "--email", "linked@northwind.example", "--name", "Linked Person", "--role", "member",
        "--sign-in", "microsoft", "--entra-id", oid)
    cli("entra", "connect", "--tenant", info["tenant_id"], "--client-id", info["client_id"], "--client-secret-stdin",
        "--login-url", info["base_url"], "--graph-url", info["base_url"], stdin=info["client_secret"])
    for _ in range(RUNS):
        cli("entra", "sync")
    return proc


def running(proc: Path) -> bool:
    """Whether the process /proc/<pid> is still running (not ended, nor a zombie)."""
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


class Window:
    """tauri-driver, and the app started through it."""

    def __init__(self, app: Path, data: Path):
        self.port = free_port()
        driver_bin = shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver")
        self.tauri_driver = subprocess.Popen([driver_bin, "--port", str(self.port), "--native-port", str(free_port())],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/status", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or self.tauri_driver.poll() is not None:
                    raise RuntimeError(f"tauri-driver did not answer within {WAIT_SECONDS} s")
                time.sleep(0.1)
        self.app, self.data, self.driver = app, data, None

    def start(self) -> float:
        """Starts the app; returns seconds from the spawn request to the first screen shown."""
        self.quit_app()
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(self.app.resolve()),
                                                 "args": ["--data-dir", str(self.data)]})
        started = time.monotonic()
        self.driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{self.port}", options=options)
        while not [e for e in self.driver.find_elements(By.TAG_NAME, "h1") if e.is_displayed()]:
            if time.monotonic() - started > WAIT_SECONDS:
                raise TimeoutError(f"no first screen within {WAIT_SECONDS} s")
            time.sleep(0.01)
        return time.monotonic() - started

    def wait_for(self, by, selector, timeout=WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.driver.find_elements(by, selector) if e.is_displayed()]
            if found:
                return found[0]
            time.sleep(0.02)
        raise TimeoutError(f"{selector} did not show within {timeout} s")

    def quit_app(self):
        if self.driver:
            self.driver.quit()
            self.driver = None
        # A tray app can outlive its WebDriver session; a survivor would take the next
        # launch's place (one instance per data directory), so end it.
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(self.data).encode() in cmdline and cmdline[0] == str(self.app.resolve()).encode():
                subprocess.run(["kill", proc.name], check=False)
                deadline = time.monotonic() + WAIT_SECONDS
                while running(proc) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if running(proc):
                    subprocess.run(["kill", "-KILL", proc.name], check=False)

    def close(self):
        self.quit_app()
        self.tauri_driver.terminate()
        self.tauri_driver.wait()


# Installed in the page: stamps actions and list changes (performance.now(), milliseconds).
PROBE = """
// The Users tab's content: its list and the toolbar, whose own changes are left out below.
const root = document.querySelector('#panel-users .tab-content');
const probe = window.__bench = {action: null, changes: [], painted: null};
const stamp = () => { probe.action = performance.now(); probe.changes = []; probe.painted = null; };
for (const type of ['keydown', 'mousedown']) document.addEventListener(type, (e) => {
  if (e.key === 'Control' || (e.ctrlKey && e.key === 'a')) return;  // select-all changes nothing
  stamp();
}, true);
new MutationObserver((records) => {
  if (probe.action === null) return;
  if (!records.some((r) => !(r.target.closest ? r.target : r.target.parentElement).closest('.toolbar'))) return;
  const at = performance.now();
  probe.changes.push(at);
  requestAnimationFrame(() => setTimeout(() => { if (probe.changes.at(-1) === at) probe.painted = performance.now(); }));
}).observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def await_update(w: Window) -> tuple[float, float] | None:
    """(ms to the last list change, ms to the frame after it) for the last action, once the
    list has been quiet for QUIET_MS; None (a miss, reported as such) if it did not change
    within UPDATE_SECONDS."""
    deadline = time.monotonic() + UPDATE_SECONDS
    while time.monotonic() < deadline:
        state = w.driver.execute_script(
            "const p = window.__bench; return [p.action, p.changes.at(-1) ?? null, p.painted, performance.now()];")
        action, last, painted, now = state
        if last is not None and painted is not None and now - last >= QUIET_MS:
            return last - action, painted - action
        time.sleep(0.05)
    return None


def settle(w: Window) -> None:
    """Waits until nothing has changed in the list for QUIET_MS since the last action."""
    while True:
        action, last, now = w.driver.execute_script(
            "const p = window.__bench; return [p.action, p.changes.at(-1) ?? null, performance.now()];")
        if now - max(action, last or action) >= QUIET_MS:
            return
        time.sleep(0.05)


def matching(people: list[tuple[str, str]], text: str) -> int:
    """How many people the Users search shows for `text` (anywhere in the name or email,
    ignoring case)."""
    text = text.lower()
    return sum(1 for name, email in people if text in name.lower() or text in email.lower())


def summary(samples: list[tuple[float, float]], misses: int) -> str:
    if not samples:
        return "no update seen"
    changed = [s[0] for s in samples]
    painted = [s[1] for s in samples]
    line = (f"list changed min {min(changed):4.0f} / median {statistics.median(changed):4.0f} / max {max(changed):4.0f} ms;"
            f" painted min {min(painted):4.0f} / median {statistics.median(painted):4.0f} / max {max(painted):4.0f} ms"
            f" (n={len(samples)})")
    return line + (f"; {misses} action(s) showed no change" if misses else "")


def sign_in(w: Window):
    w.wait_for(By.ID, "signin-email").send_keys(OWNER_EMAIL)
    w.wait_for(By.ID, "signin-password").send_keys(OWNER_PASSWORD)
    w.wait_for(By.XPATH, "//button[normalize-space(.)='Sign in']").click()
    w.wait_for(By.XPATH, "//nav[@aria-label='Main']")


def open_tab(w: Window, tab: str):
    w.wait_for(By.XPATH, "//nav[@aria-label='Main']//button[contains(., 'Settings')]").click()
    w.wait_for(By.XPATH, f"//button[@role='tab'][contains(., '{tab}')]").click()


def bench_users(w: Window, people: list[tuple[str, str]]) -> dict[str, str]:
    open_tab(w, "Users")
    w.wait_for(By.CSS_SELECTOR, "[role=rowgroup] [role=row]")
    w.driver.execute_script(PROBE)
    search = w.wait_for(By.ID, "user-search")
    keys, clears, clicks = [], [], []
    key_misses = clear_misses = click_misses = 0
    # A key that matches the same people as the text before it changes nothing to time: it
    # is typed, and the list left to settle, but it is neither a sample nor a miss.
    changes = [matching(people, QUERY[:i + 1]) != matching(people, QUERY[:i]) for i in range(len(QUERY))]
    for _ in range(REPEATS):
        for ch, changed in zip(QUERY, changes):
            search.send_keys(ch)
            if not changed:
                settle(w)
                continue
            result = await_update(w)
            keys.append(result) if result else None
            key_misses += result is None
        search.send_keys(Keys.CONTROL, "a")
        search.send_keys(Keys.BACKSPACE)
        result = await_update(w)
        clears.append(result) if result else None
        clear_misses += result is None
    buttons = {label: w.wait_for(By.XPATH, f"//div[@aria-label='Filter by status']/button[starts-with(normalize-space(.), '{label}')]")
               for label in ("All", "Active", "Deactivated")}
    for _ in range(REPEATS):
        for label in ("Active", "Deactivated", "All"):
            buttons[label].click()
            result = await_update(w)
            clicks.append(result) if result else None
            click_misses += result is None
    return {
        f"keystroke (typing “{QUERY}”, the {sum(changes)} keys that change the list)": summary(keys, key_misses),
        "filter click (Active / Deactivated / All)": summary(clicks, click_misses),
        "clearing the search": summary(clears, clear_misses),
    }


ENTRA = """
const done = arguments[arguments.length - 1];
const button = [...document.querySelectorAll('button')].find((b) => b.textContent.includes('Microsoft Entra ID'));
const started = performance.now();
const drawn = () => document.querySelectorAll('table[aria-labelledby=entra-history-title] tbody tr').length;
const finish = () => requestAnimationFrame(() => setTimeout(() => done([performance.now() - started, drawn()])));
const observer = new MutationObserver(() => { if (drawn() > 0) { observer.disconnect(); finish(); } });
observer.observe(document.body, {subtree: true, childList: true});
button.click();
"""


def bench_entra(w: Window) -> str:
    times, rows = [], 0
    for _ in range(REPEATS):
        open_tab(w, "Integrations")
        w.wait_for(By.XPATH, "//button[contains(., 'Microsoft Entra ID')]")
        w.driver.set_script_timeout(WAIT_SECONDS)
        ms, rows = w.driver.execute_async_script(ENTRA)
        times.append(ms)
        w.wait_for(By.CSS_SELECTOR, "button.back").click()
    return (f"min {min(times):4.0f} / median {statistics.median(times):4.0f} / max {max(times):4.0f} ms"
            f" (n={len(times)}, {rows} runs drawn)")


def bench(app: Path, data: Path, people: list[tuple[str, str]]) -> dict[str, str]:
    w = Window(app, data)
    try:
        launches = [w.start() for _ in range(3)]
        figures = {"launch → first screen": f"min {min(launches):.2f} / median {statistics.median(launches):.2f} / "
                                             f"max {max(launches):.2f} s (n={len(launches)}, WebDriver session included)"}
        sign_in(w)
        figures.update(bench_users(w, people))
        figures[f"Entra page opening, {RUNS} runs in its history"] = bench_entra(w)
        return figures
    finally:
        w.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", type=Path)
    parser.add_argument("before", type=Path, nargs="?", help="a baseline binary, measured first on the same data")
    parser.add_argument("--cli", type=Path)
    parser.add_argument("--graph-sim", type=Path)
    args = parser.parse_args()
    cli_bin = args.cli or args.binary.parent / "uniasset"
    sim_bin = args.graph_sim or args.binary.parent / "graph-sim"

    work = Path(tempfile.mkdtemp(prefix="bench-window-"))
    sim = None
    try:
        cli = Cli(cli_bin, work / "data")
        started = time.monotonic()
        people = seed_people(cli, work)
        sim = seed_runs(cli, sim_bin, work)
        print(f"seeded {PEOPLE} people and {RUNS} sync runs through the CLI in {time.monotonic() - started:.0f} s")
        binaries = ([("before", args.before)] if args.before else []) + [("this build", args.binary)]
        for name, path in binaries:
            figures = bench(path, work / "data", people)
            print(f"\n{name}: {path}")
            for what, figure in figures.items():
                print(f"  {what}: {figure}", flush=True)
    finally:
        if sim:
            sim.terminate()
            sim.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
