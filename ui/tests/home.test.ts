// Home: the getting-started list and the state of the job, as the core sends them, and each
// action leading to the screen where it is done. The core is mocked at the IPC boundary.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Main from "../src/screens/Main.svelte";
import type { Item } from "../src/bindings/Item";
import { formatDateTime } from "../src/lib/time";
import {
  adminMay,
  callsTo,
  makeAssetPage,
  makeChecklist,
  makeHome,
  makeUser,
  memberMay,
  mockCore,
  org,
  usersWindow,
  type Handlers,
} from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });

const leavers: Item = {
  topic: "leavers",
  health: "attention",
  title: "Assets to recover",
  summary: "1 person who left still holds assets.",
  at: null,
  at_label: null,
  action: { label: "Recover assets", place: "leavers" },
};
const autoOn: Item = {
  topic: "auto_deprovision",
  health: "good",
  title: "Auto-deprovisioning",
  summary: "On.",
  at: "2026-12-07T03:00:00Z",
  at_label: "Next run",
  action: null,
};

function openHome(handlers: Handlers, may = adminMay, user = owner) {
  const calls = mockCore({
    list_assets: () => makeAssetPage([]),
    leavers: () => [],
    leaver_count: () => 1,
    list_users: usersWindow([], { all: 0, active: 0, deactivated: 0 }),
    autostart_enabled: () => false,
    app_version: () => "0.1.0",
    ...handlers,
  });
  render(Main, { org, user, may, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
  return calls;
}

describe("the getting-started list", () => {
  it("shows each step done or to do, why one cannot be done yet, and how far along it is", async () => {
    const checklist = makeChecklist(["add_people", "connect_entra"]);
    checklist.steps[2].blocked = "Auto-deprovisioning needs the Enterprise plan.";
    openHome({ home: () => makeHome({ checklist }) });
    const list = await screen.findByRole("region", { name: "Getting started" });
    expect(within(list).getByText("2 of 6 done")).toBeInTheDocument();
    expect(within(list).getByRole("heading", { name: "Add your people, done" })).toBeInTheDocument();
    expect(within(list).getByRole("heading", { name: "Turn on auto-deprovisioning, to do" })).toBeInTheDocument();
    expect(within(list).getByText("Auto-deprovisioning needs the Enterprise plan.")).toBeInTheDocument();
    // Done steps have no action; each other step has its one.
    expect(within(list).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Turn on",
      "Add an asset",
      "Set up",
      "Open Backups",
    ]);
    expect(within(list).queryByRole("button", { name: "Put this list away" })).not.toBeInTheDocument();
  });

  it("leads a step to where it is done", async () => {
    openHome({ home: () => makeHome({ checklist: makeChecklist() }) });
    await userEvent.click(await screen.findByRole("button", { name: "Add an asset" }));
    expect(screen.getByRole("button", { name: /^Assets/ })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("tab", { name: "Register" })).toHaveAttribute("aria-selected", "true");

    await userEvent.click(screen.getByRole("button", { name: "Home" }));
    await userEvent.click(await screen.findByRole("button", { name: "Add people" }));
    expect(screen.getByRole("heading", { name: "People" })).toBeInTheDocument();
  });

  it("is put away once every step is done", async () => {
    const all = makeChecklist([
      "add_people",
      "connect_entra",
      "turn_on_auto_deprovisioning",
      "record_assets",
      "email_alerts",
      "backups",
    ]);
    const calls = openHome({
      home: () => makeHome({ checklist: all }),
      put_away_checklist: () => makeHome({ checklist: null, items: [autoOn] }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Put this list away" }));
    expect(callsTo(calls, "put_away_checklist")).toHaveLength(1);
    expect(screen.queryByRole("region", { name: "Getting started" })).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Auto-deprovisioning" })).toBeInTheDocument();
  });

  it("shows the core's refusal verbatim", async () => {
    openHome({
      home: () => makeHome({ checklist: makeChecklist(["add_people", "connect_entra", "turn_on_auto_deprovisioning", "record_assets", "email_alerts", "backups"]) }),
      put_away_checklist: () => {
        throw { code: "checklist_not_done", message: "The getting-started list is put away once every step on it is done: 1 still to do." };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Put this list away" }));
    expect(await screen.findByText(/^The getting-started list is put away once every step/)).toHaveAttribute("role", "alert");
  });
});

describe("the state of the job", () => {
  it("says how each part stands, when, and what to do", async () => {
    openHome({ home: () => makeHome({ items: [leavers, autoOn] }) });
    const item = (await screen.findByRole("heading", { name: "Assets to recover" })).closest("li") as HTMLElement;
    expect(within(item).getByText("Needs you")).toBeInTheDocument();
    expect(within(item).getByText("1 person who left still holds assets.")).toBeInTheDocument();
    const auto = screen.getByRole("heading", { name: "Auto-deprovisioning" }).closest("li") as HTMLElement;
    expect(within(auto).getByText("OK")).toBeInTheDocument();
    const time = within(auto).getByText(formatDateTime("2026-12-07T03:00:00Z"), { exact: false });
    expect(time).toHaveAttribute("datetime", "2026-12-07T03:00:00Z");
    expect(within(auto).queryByRole("button")).not.toBeInTheDocument();

    const recover = within(item).getByRole("button", { name: "Recover assets" });
    expect(recover).toHaveAccessibleDescription("Assets to recover");
    await userEvent.click(recover);
    expect(screen.getByRole("tab", { name: /^Leavers/ })).toHaveAttribute("aria-selected", "true");
  });

  it("shows People filtered to those an item is about", async () => {
    const cannot: Item = { ...leavers, topic: "cannot_sign_in", title: "Cannot sign in", summary: "1 person…", action: { label: "Show them", place: "people_cannot_sign_in" } };
    const calls = openHome({ home: () => makeHome({ items: [cannot] }) });
    await userEvent.click(await screen.findByRole("button", { name: "Show them" }));
    expect(screen.getByRole("button", { name: "People" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByLabelText("Needs attention")).toHaveValue("cannot_sign_in");
    expect(callsTo(calls, "list_users").at(-1)?.args).toMatchObject({ query: { gap: "cannot_sign_in" } });
  });

  it("tells Members who looks after the organization, without the Owners' items", async () => {
    openHome({ home: () => makeHome({ manages: false }) }, memberMay, makeUser(2, { role: "member" }));
    expect(await screen.findByText(/The Owners and Admins of Acme/)).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Your organization today" })).not.toBeInTheDocument();
  });

  it("opens Settings → General at the card an action names", async () => {
    const backups: Item = { ...leavers, topic: "backups", title: "Backups", summary: "No backup yet.", action: { label: "Back up now", place: "backups" } };
    openHome({ home: () => makeHome({ items: [backups] }), backup_status: () => { throw { code: "x", message: "not needed here" }; } });
    await userEvent.click(await screen.findByRole("button", { name: "Back up now" }));
    expect(screen.getByRole("tab", { name: "General" })).toHaveAttribute("aria-selected", "true");
  });
});
