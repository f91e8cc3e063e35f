// Assets: the register (list, filters, add, assign, check in, mark lost, details), the
// Leavers tab and the sidebar's count, and the deprovisioning evidence (query, delays,
// CSV export, print view). The core is mocked at the IPC boundary, as everywhere.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import Main from "../src/screens/Main.svelte";
import type { Asset } from "../src/bindings/Asset";
import type { AssetQuery } from "../src/bindings/AssetQuery";
import type { UserQuery } from "../src/bindings/UserQuery";
import { formatDate, formatDateTime, isoDate } from "../src/lib/time";
import {
  adminMay,
  asRow,
  callsTo,
  makeAsset,
  makeAssetPage,
  makeEvidenceRow,
  makeHome,
  makeLeaver,
  makeRun,
  makeUser,
  memberMay,
  mockCore,
  org,
  type Call, type Handlers,
  makeCounts,
} from "./fixtures";

// The native file dialogs are the shell's; the tests answer for the person choosing.
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(), open: vi.fn() }));

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
const ann = makeUser(5, { display_name: "Ann Active", email: "ann@acme.test" });
const bob = makeUser(6, { display_name: "Bob Builder", email: "bob@acme.test" });
const dana = makeUser(7, { display_name: "Dana Driver", email: "dana@acme.test" });

const laptop = makeAsset(1, {
  tag: "LT-001",
  name: "ThinkPad T14",
  category: "Laptop",
  serial: "PF3ABC",
  status: "in_use",
  assigned_to: 7,
  assigned_to_name: "Dana Driver",
  assigned_to_email: "dana@acme.test",
  assigned_to_status: "deactivated",
});
const monitor = makeAsset(2, { tag: "MON-002", name: "Dell U2723", category: "Monitor", serial: null });
const phone = makeAsset(3, {
  tag: "PH-003",
  name: "iPhone 15",
  status: "in_use",
  assigned_to: 5,
  assigned_to_name: "Ann Active",
  assigned_to_email: "ann@acme.test",
  assigned_to_status: "active",
});

const ALL: AssetQuery = { assigned_to: null, search: null, status: null };

function openAssets(handlers: Handlers, may = adminMay, user = owner): Call[] {
  const calls = mockCore({
    home: () => makeHome(),
    list_assets: () => makeAssetPage([laptop, monitor, phone]),
    leaver_count: () => 0,
    list_users: (args) => {
      const search = (args.query as UserQuery).search;
      const people = [ann, bob].filter((p) => !search || p.display_name.toLowerCase().includes(search.toLowerCase()));
      return { users: people.map((p) => asRow(p)), offset: 0, matching: people.length, counts: makeCounts({ all: 2, active: 2, deactivated: 0 }), may_add: true };
    },
    ...handlers,
  });
  render(Main, { org, user, may, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
  // The window opens on Home; these tests start one click away, on Assets.
  fireEvent.click(within(screen.getByRole("navigation", { name: "Main" })).getByRole("button", { name: /^Assets/ }));
  return calls;
}

/** The alerts that say something (empty ones stay in the DOM to be announced later). */
const alerts = (within_: HTMLElement) =>
  within(within_)
    .getAllByRole("alert")
    .map((a) => a.textContent)
    .filter((t) => t);

const row = async (text: string) => (await screen.findByText(text)).closest("tr") as HTMLElement;

async function chooseFromMenu(tag: string, item: string) {
  await userEvent.click(await screen.findByRole("button", { name: `Actions for ${tag}` }));
  await userEvent.click(within(screen.getByRole("menu", { name: `Actions for ${tag}` })).getByRole("menuitem", { name: item }));
}

beforeEach(() => {
  vi.mocked(save).mockReset();
  vi.mocked(open).mockReset();
});

describe("the register", () => {
  it("lists every asset with its status, holder and serial, marking deactivated holders", async () => {
    const calls = openAssets({});
    const dan = await row("ThinkPad T14");
    expect(within(dan).getAllByRole("cell").map((c) => c.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "LT-001",
      "ThinkPad T14",
      "Laptop",
      "In use",
      "Dana Driver Deactivated",
      "PF3ABC",
      "",
    ]);
    expect(within(await row("Dell U2723")).getByText("In stock")).toHaveClass("badge");
    expect(within(await row("Dell U2723")).getByText("Unassigned")).toBeInTheDocument();
    expect(within(await row("iPhone 15")).queryByText("Deactivated")).not.toBeInTheDocument();
    expect(callsTo(calls, "list_assets").map((c) => c.args)).toEqual([{ query: ALL }]);
    expect(screen.getByRole("tab", { name: "Register" })).toHaveAttribute("aria-selected", "true");
  });

  it("sends the search once typing pauses, and the status filter, to the core", async () => {
    const calls = openAssets({});
    await row("ThinkPad T14");
    await userEvent.type(screen.getByRole("searchbox", { name: "Search assets" }), "  think ");
    await waitFor(() => expect(callsTo(calls, "list_assets")).toHaveLength(2));
    expect(callsTo(calls, "list_assets")[1].args).toEqual({ query: { ...ALL, search: "think" } });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Lost");
    await waitFor(() => expect(callsTo(calls, "list_assets")).toHaveLength(3));
    expect(callsTo(calls, "list_assets")[2].args).toEqual({ query: { ...ALL, search: "think", status: "lost" } });
  });

  it("offers Members only Details, and no Add asset", async () => {
    openAssets({ list_assets: () => makeAssetPage([laptop], false) }, memberMay, makeUser(2, { role: "member" }));
    await row("ThinkPad T14");
    expect(screen.queryByRole("button", { name: "Add asset" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Actions for LT-001" }));
    expect(within(screen.getByRole("menu")).getAllByRole("menuitem").map((i) => i.textContent)).toEqual(["Details"]);
  });

  it("offers Owners and Admins what fits each asset", async () => {
    openAssets({});
    const items = async (tag: string) => {
      await userEvent.click(await screen.findByRole("button", { name: `Actions for ${tag}` }));
      const names = within(screen.getByRole("menu")).getAllByRole("menuitem").map((i) => i.textContent);
      await userEvent.keyboard("{Escape}");
      return names;
    };
    expect(await items("LT-001")).toEqual(["Check in…", "Mark lost…", "Edit…", "Details"]);
    expect(await items("MON-002")).toEqual(["Assign…", "Mark lost…", "Edit…", "Details"]);
  });

  it("adds an asset in stock, blank optional fields as null", async () => {
    const added = makeAsset(9, { tag: "KB-9", name: "Keyboard" });
    const calls = openAssets({ add_asset: () => added });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("button", { name: "Add asset" }));
    const dialog = screen.getByRole("dialog", { name: "Add asset" });
    expect(within(dialog).getByLabelText("Tag")).toHaveFocus();
    await userEvent.type(within(dialog).getByLabelText("Tag"), " KB-9 ");
    await userEvent.type(within(dialog).getByLabelText("Name"), "Keyboard");
    // Active people are offered; nobody is chosen until the owner picks someone.
    await within(dialog).findByRole("radio", { name: /Ann Active/ });
    expect(within(dialog).getByRole("radio", { name: /Nobody/ })).toBeChecked();
    expect(callsTo(calls, "list_users")[0].args).toEqual({
      query: { status: "active", search: null, role: null, sign_in: null, limit: 50 },
    });

    await userEvent.click(within(dialog).getByRole("button", { name: "Add asset" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "add_asset").map((c) => c.args)).toEqual([
      { asset: { tag: "KB-9", name: "Keyboard", category: null, serial: null }, assignTo: null },
    ]);
    expect(screen.getByText("KB-9 was added.")).toBeInTheDocument();
    expect(callsTo(calls, "list_assets")).toHaveLength(2);
  });

  it("draws at most 50 people and says how to find the others in a large organization", async () => {
    openAssets({
      list_users: (args) => {
        const limit = (args.query as UserQuery).limit ?? 0;
        const people = Array.from({ length: limit }, (_, i) => asRow({ ...ann, id: 100 + i, display_name: `Person ${i}`, email: `p${i}@acme.test` }));
        return { users: people, offset: 0, matching: 10000, counts: makeCounts({ all: 10000, active: 10000, deactivated: 0 }), may_add: true };
      },
    });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("button", { name: "Add asset" }));
    const dialog = screen.getByRole("dialog", { name: "Add asset" });
    await within(dialog).findByRole("radio", { name: /Person 0 / });
    expect(within(dialog).getAllByRole("radio")).toHaveLength(51); // Nobody, then 50 people
    expect(within(dialog).getByText("Showing 50 of 10,000 people: type a name or email to find the others.")).toBeInTheDocument();
  });

  it("adds an asset straight to a person found by search", async () => {
    const added = makeAsset(9, { tag: "LT-9", name: "MacBook Air", status: "in_use", assigned_to: 6, assigned_to_name: "Bob Builder" });
    const calls = openAssets({ add_asset: () => added });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("button", { name: "Add asset" }));
    const dialog = screen.getByRole("dialog", { name: "Add asset" });
    await userEvent.type(within(dialog).getByLabelText("Tag"), "LT-9");
    await userEvent.type(within(dialog).getByLabelText("Name"), "MacBook Air");
    await userEvent.type(within(dialog).getByLabelText("Category (optional)"), "Laptop");
    await userEvent.type(within(dialog).getByLabelText("Serial number (optional)"), "C02XYZ");
    await userEvent.type(within(dialog).getByRole("searchbox", { name: "Search people" }), "bob");
    await waitFor(() => expect(within(dialog).queryByRole("radio", { name: /Ann Active/ })).not.toBeInTheDocument());
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({
      query: { status: "active", search: "bob", role: null, sign_in: null, limit: 50 },
    });
    await userEvent.click(within(dialog).getByRole("radio", { name: "Bob Builder bob@acme.test" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Add asset" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "add_asset").map((c) => c.args)).toEqual([
      { asset: { tag: "LT-9", name: "MacBook Air", category: "Laptop", serial: "C02XYZ" }, assignTo: 6 },
    ]);
    expect(screen.getByText("LT-9 was added to Bob Builder.")).toBeInTheDocument();
  });

  it("shows the core's refusal of an assignment verbatim and keeps the dialog open", async () => {
    const refusal = "Bob Builder is deactivated; assign the asset to an active user.";
    const calls = openAssets({
      assign_asset: () => {
        throw { code: "assignee_deactivated", message: refusal };
      },
    });
    await chooseFromMenu("MON-002", "Assign…");
    const dialog = screen.getByRole("dialog", { name: "Assign MON-002 Dell U2723" });
    await userEvent.click(await within(dialog).findByRole("radio", { name: /Bob Builder/ }));
    await userEvent.type(within(dialog).getByLabelText("Note (optional)"), "with dock");
    await userEvent.click(within(dialog).getByRole("button", { name: "Assign" }));

    // Verbatim: the whole message and nothing else.
    await waitFor(() => expect(alerts(dialog)).toEqual([refusal]));
    expect(screen.getByRole("dialog", { name: "Assign MON-002 Dell U2723" })).toBeInTheDocument();
    expect(callsTo(calls, "assign_asset").map((c) => c.args)).toEqual([{ assetId: 2, userId: 6, note: "with dock" }]);
  });

  it("asks for a person before assigning", async () => {
    const calls = openAssets({ assign_asset: () => monitor });
    await chooseFromMenu("MON-002", "Assign…");
    const dialog = screen.getByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Assign" }));
    expect(alerts(dialog)).toEqual(["Choose the person who will hold it."]);
    expect(callsTo(calls, "assign_asset")).toHaveLength(0);
  });

  it("checks an asset in with a note, after confirming, and refreshes the leaver count", async () => {
    const calls = openAssets({ check_in_asset: () => ({ ...laptop, status: "in_stock", assigned_to: null }) });
    await chooseFromMenu("LT-001", "Check in…");
    const dialog = screen.getByRole("alertdialog", { name: "Check in LT-001?" });
    expect(dialog).toHaveTextContent("ThinkPad T14 comes back from Dana Driver");
    await userEvent.type(within(dialog).getByLabelText("Note (optional)"), "Charger missing");
    await userEvent.click(within(dialog).getByRole("button", { name: "Check in" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "check_in_asset").map((c) => c.args)).toEqual([{ assetId: 1, note: "Charger missing" }]);
    expect(screen.getByText("LT-001 was checked in.")).toBeInTheDocument();
    expect(callsTo(calls, "leaver_count")).toHaveLength(2);
  });

  it("marks an asset lost without a note", async () => {
    const calls = openAssets({ mark_asset_lost: () => ({ ...laptop, status: "lost", assigned_to: null }) });
    await chooseFromMenu("LT-001", "Mark lost…");
    const dialog = screen.getByRole("alertdialog", { name: "Mark LT-001 lost?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark lost" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "mark_asset_lost").map((c) => c.args)).toEqual([{ assetId: 1, note: null }]);
    expect(screen.getByText("LT-001 was marked lost.")).toBeInTheDocument();
  });

  it("edits an asset's facts but not its tag", async () => {
    const calls = openAssets({ edit_asset: () => ({ ...monitor, status: "in_repair" }) });
    await chooseFromMenu("MON-002", "Edit…");
    const dialog = screen.getByRole("dialog", { name: "Edit MON-002" });
    expect(within(dialog).getByLabelText("Tag")).toHaveAttribute("readonly");
    await userEvent.clear(within(dialog).getByLabelText("Category (optional)"));
    await userEvent.selectOptions(within(dialog).getByLabelText("Status"), "In repair");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "edit_asset").map((c) => c.args)).toEqual([
      { assetId: 2, edit: { name: "Dell U2723", category: null, serial: null, status: "in_repair" } },
    ]);
  });
});

describe("an asset's details", () => {
  const details = {
    asset: laptop,
    holdings: [
      {
        id: 2,
        asset_id: 1,
        user_id: 7,
        user_name: "Dana Driver",
        user_email: "dana@acme.test",
        assigned_at: "2025-02-01T09:00:00Z",
        assigned_by: "Olivia Owner",
        assign_note: "with charger",
        ended_at: null,
        ended_by: null,
        end_note: null,
        outcome: null,
        write_off_reason: null,
      },
      {
        id: 1,
        asset_id: 1,
        user_id: 5,
        user_name: "Ann Active",
        user_email: "ann@acme.test",
        assigned_at: "2025-01-05T09:00:00Z",
        assigned_by: "Olivia Owner",
        assign_note: null,
        ended_at: "2025-01-31T17:00:00Z",
        ended_by: "Adam Admin",
        end_note: "screen scratched",
        outcome: "returned" as const,
        write_off_reason: null,
      },
    ],
    maintenance: [{ id: 4, asset_id: 1, asset_tag: "LT-001", author: "Olivia Owner <olivia@acme.test>", at: "2025-02-10T12:00:00Z", note: "Keyboard cleaned" }],
    documents: [
      { id: 12, asset_id: 1, file_name: "receipt.pdf", sha256: "ab", size_bytes: 2048, uploaded_at: "2025-01-05T09:00:00Z" },
    ],
  };

  async function openDetails(handlers: Handlers = {}) {
    const calls = openAssets({ asset_details: () => details, ...handlers });
    await chooseFromMenu("LT-001", "Details");
    const dialog = await screen.findByRole("dialog", { name: "LT-001 ThinkPad T14" });
    await within(dialog).findByRole("heading", { name: "History" });
    return { calls, dialog };
  }

  it("shows who held it when, newest first, with outcomes and notes", async () => {
    const { calls, dialog } = await openDetails();
    expect(callsTo(calls, "asset_details").map((c) => c.args)).toEqual([{ assetId: 1 }]);
    const history = within(dialog).getByRole("heading", { name: "History" }).parentElement as HTMLElement;
    const rows = within(history).getAllByRole("row").slice(1);
    expect(within(rows[0]).getAllByRole("cell").map((c) => c.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Dana Driverdana@acme.test",
      `${formatDateTime("2025-02-01T09:00:00Z")}by Olivia Owner`.replace(/\s+/g, " "),
      "Still holds it",
      "",
      "Assigned: with charger",
    ]);
    expect(within(rows[1]).getAllByRole("cell").map((c) => c.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Ann Activeann@acme.test",
      `${formatDateTime("2025-01-05T09:00:00Z")}by Olivia Owner`.replace(/\s+/g, " "),
      `${formatDateTime("2025-01-31T17:00:00Z")}by Adam Admin`.replace(/\s+/g, " "),
      "Returned",
      "Returned: screen scratched",
    ]);
    expect(within(dialog).getByText("Keyboard cleaned")).toBeInTheDocument();
  });

  it("adds a maintenance entry", async () => {
    const entry = { id: 5, asset_id: 1, asset_tag: "LT-001", author: "Olivia Owner <olivia@acme.test>", at: "2025-03-05T12:00:00Z", note: "Battery replaced" };
    const { calls, dialog } = await openDetails({ add_maintenance: () => entry });
    await userEvent.type(within(dialog).getByLabelText("New maintenance entry"), "Battery replaced");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add entry" }));
    expect(await within(dialog).findByText("Battery replaced")).toBeInTheDocument();
    expect(callsTo(calls, "add_maintenance").map((c) => c.args)).toEqual([{ assetId: 1, note: "Battery replaced" }]);
    expect(within(dialog).getByLabelText("New maintenance entry")).toHaveValue("");
  });

  it("attaches a document chosen in the native dialog, and does nothing when it is cancelled", async () => {
    const document = { id: 13, asset_id: 1, file_name: "warranty.pdf", sha256: "cd", size_bytes: 10, uploaded_at: "2025-03-05T12:00:00Z" };
    const { calls, dialog } = await openDetails({ attach_document: () => document });
    vi.mocked(open).mockResolvedValueOnce(null);
    await userEvent.click(within(dialog).getByRole("button", { name: "Attach document…" }));
    await waitFor(() => expect(open).toHaveBeenCalledTimes(1));
    expect(callsTo(calls, "attach_document")).toHaveLength(0);

    vi.mocked(open).mockResolvedValueOnce("/home/olivia/warranty.pdf");
    await userEvent.click(within(dialog).getByRole("button", { name: "Attach document…" }));
    expect(await within(dialog).findByText("warranty.pdf attached.")).toBeInTheDocument();
    expect(callsTo(calls, "attach_document").map((c) => c.args)).toEqual([
      { assetId: 1, path: "/home/olivia/warranty.pdf" },
    ]);
    expect(within(dialog).getByRole("button", { name: "Open warranty.pdf" })).toBeInTheDocument();
  });

  it("opens a document with the system's app, showing a failure verbatim", async () => {
    const { calls, dialog } = await openDetails({
      open_document: () => {
        throw { code: "document_missing", message: "The file of receipt.pdf is missing from the data directory." };
      },
    });
    await userEvent.click(within(dialog).getByRole("button", { name: "Open receipt.pdf" }));
    await waitFor(() =>
      expect(within(dialog).getAllByRole("alert").map((a) => a.textContent)).toContain(
        "The file of receipt.pdf is missing from the data directory.",
      ),
    );
    expect(callsTo(calls, "open_document").map((c) => c.args)).toEqual([{ documentId: 12 }]);
  });
});

describe("leavers", () => {
  const dock = makeAsset(4, { tag: "DK-004", name: "USB-C dock", status: "in_use", assigned_to: 7 });
  const dan = makeLeaver(dana, [laptop, dock]);

  it("shows the count in the sidebar and on the tab, and each leaver with their assets", async () => {
    const calls = openAssets({ leaver_count: () => 1, leavers: () => [dan] });
    const nav = screen.getByRole("navigation", { name: "Main" });
    await waitFor(() => expect(within(nav).getByRole("button", { name: /^Assets/ })).toHaveTextContent("1"));
    expect(within(nav).getByRole("button", { name: /^Assets/ })).toHaveAccessibleName("Assets (1 leaver holding assets)");

    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (1)" }));
    const card = await screen.findByRole("listitem", { name: "Dana Driver" });
    expect(card).toHaveTextContent("dana@acme.test");
    expect(card).toHaveTextContent(
      `Disabled in Entra · ${formatDateTime("2025-03-03T03:00:04Z")} · by Microsoft Entra ID sync, run #12`,
    );
    expect(card).toHaveTextContent("2 assets to recover");
    expect(within(card).getByRole("button", { name: "Check in LT-001" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Mark lost DK-004" })).toBeInTheDocument();
    expect(callsTo(calls, "leavers")).toHaveLength(1);
  });

  it("checks in one asset, then lists again and updates the counts", async () => {
    let count = 1;
    let held: Asset[] = [laptop, dock];
    const calls = openAssets({
      leaver_count: () => count,
      leavers: () => (held.length ? [makeLeaver(dana, held)] : []),
      check_in_asset: () => {
        held = [];
        count = 0;
        return { ...dock, status: "in_stock", assigned_to: null };
      },
    });
    await row("ThinkPad T14");
    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (1)" }));
    await userEvent.click(await screen.findByRole("button", { name: "Check in DK-004" }));
    const dialog = screen.getByRole("alertdialog", { name: "Check in DK-004?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Check in" }));

    expect(await screen.findByText("Nobody who left still holds an asset.")).toBeInTheDocument();
    expect(screen.getByText("DK-004 was checked in.")).toBeInTheDocument();
    expect(callsTo(calls, "check_in_asset").map((c) => c.args)).toEqual([{ assetId: 4, note: null }]);
    await waitFor(() => expect(screen.getByRole("tab", { name: "Leavers (0)" })).toBeInTheDocument());
    expect(within(screen.getByRole("navigation", { name: "Main" })).getByRole("button", { name: "Assets" })).toBeInTheDocument();
    // Its button went with the last asset to recover: focus is on the tab, not lost.
    expect(screen.getByRole("tab", { name: "Leavers (0)" })).toHaveFocus();
  });

  it("marks an asset lost from the Leavers tab", async () => {
    const calls = openAssets({
      leaver_count: () => 1,
      leavers: () => [dan],
      mark_asset_lost: () => ({ ...laptop, status: "lost", assigned_to: null }),
    });
    await row("ThinkPad T14");
    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (1)" }));
    await userEvent.click(await screen.findByRole("button", { name: "Mark lost LT-001" }));
    const dialog = screen.getByRole("alertdialog", { name: "Mark LT-001 lost?" });
    await userEvent.type(within(dialog).getByLabelText("Note (optional)"), "Never returned");
    await userEvent.click(within(dialog).getByRole("button", { name: "Mark lost" }));
    await waitFor(() => expect(callsTo(calls, "mark_asset_lost")).toHaveLength(1));
    expect(callsTo(calls, "mark_asset_lost")[0].args).toEqual({ assetId: 1, note: "Never returned" });
  });

  it("has an empty state, and no buttons for Members", async () => {
    openAssets({ leavers: () => [] });
    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (0)" }));
    expect(await screen.findByText("Nobody who left still holds an asset.")).toBeInTheDocument();
  });

  it("shows Members the leavers without Check in or Mark lost", async () => {
    openAssets(
      { list_assets: () => makeAssetPage([laptop], false), leaver_count: () => 1, leavers: () => [dan] },
      memberMay,
      makeUser(2, { role: "member" }),
    );
    await row("ThinkPad T14");
    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (1)" }));
    const card = await screen.findByRole("listitem", { name: "Dana Driver" });
    expect(within(card).queryByRole("button")).not.toBeInTheDocument();
  });

  it("asks for the count again when a sync run finishes", async () => {
    let count = 0;
    const calls = openAssets({ leaver_count: () => count });
    await row("ThinkPad T14");
    await waitFor(() => expect(callsTo(calls, "leaver_count")).toHaveLength(1));
    // Let the listener register before the shell "emits".
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = 2;
    await emit("sync-finished", makeRun(40));
    const nav = screen.getByRole("navigation", { name: "Main" });
    await waitFor(() =>
      expect(within(nav).getByRole("button", { name: /^Assets/ })).toHaveAccessibleName("Assets (2 leavers holding assets)"),
    );
    expect(screen.getByRole("tab", { name: "Leavers (2)" })).toBeInTheDocument();
    // The register is asked again too: the run may have deactivated a holder.
    expect(callsTo(calls, "list_assets")).toHaveLength(2);
  });
});

describe("deprovisioning evidence", () => {
  const returned = makeEvidenceRow({
    assets: [
      {
        tag: "LT-001",
        name: "ThinkPad T14",
        serial: null,
        held_at_deactivation: true,
        held_since: "2024-06-01T09:00:00Z",
        returned_at: "2025-03-04T10:00:00Z",
        outcome: "returned",
        received_by: "Olivia Owner",
        lost_by: null,
        note: "Charger missing", written_off_by: null, write_off_reason: null,
      },
      {
        tag: "DK-004",
        name: "USB-C dock",
        serial: null,
        held_at_deactivation: true,
        held_since: "2024-06-01T09:00:00Z",
        returned_at: null,
        outcome: null,
        received_by: null,
        lost_by: null,
        note: null, written_off_by: null, write_off_reason: null,
      },
    ],
    assets_outstanding: ["DK-004"],
    assets_returned: ["LT-001"],
  });
  const manual = makeEvidenceRow({
    user_id: 8,
    email: "max@acme.test",
    name: "Max Manual",
    object_id: null,
    reason: "manual",
    trigger: "by_hand",
    detected_at: null,
    deactivated_at: "2025-02-10T15:00:00Z",
    deactivated_by: "Olivia Owner",
    run_id: null,
    delay_seconds: null,
    target_met: null,
  });
  const TRAIL =
    "Audit trail verified at 2025-04-01T08:00:00Z: 42 entries, each as UniAsset recorded it; the newest entry's SHA-256 is 9f2c.";
  const evidence = {
    rows: [returned, manual],
    since: "2025-01-01",
    until: "2025-03-31",
    generated_at: "2025-04-01T08:00:00Z",
    target_hours: 24,
    audit_trail: TRAIL,
  };

  async function openEvidence(handlers: Handlers = {}) {
    const calls = openAssets({ evidence: () => evidence, ...handlers });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("tab", { name: "Evidence" }));
    await screen.findByRole("table", { name: /^Deactivations/ });
    return calls;
  }

  it("asks for the last 90 days by default and shows each deactivation", async () => {
    const calls = await openEvidence();
    const today = new Date();
    const before = new Date();
    before.setDate(before.getDate() - 90);
    expect(callsTo(calls, "evidence").map((c) => c.args)).toEqual([{ since: isoDate(before), until: isoDate(today) }]);
    expect(screen.getByLabelText("From")).toHaveValue(isoDate(before));
    expect(screen.getByLabelText("To")).toHaveValue(isoDate(today));

    const table = screen.getByRole("table", { name: /^Deactivations/ });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Person",
      "Reason",
      "Detected",
      "Deactivated",
      "Delay",
      "Assets held then",
    ]);
    const [dana, max] = within(table).getAllByRole("row").slice(1);
    const cells = within(dana).getAllByRole("cell");
    expect(within(cells[0]).getByText("Dana Driver")).toBeInTheDocument();
    expect(within(cells[0]).getByText("dana@acme.test")).toBeInTheDocument();
    expect(cells[1]).toHaveTextContent("Disabled in Entra");
    expect(cells[2]).toHaveTextContent(formatDateTime("2025-03-02T22:48:00Z"));
    expect(cells[3]).toHaveTextContent(`${formatDateTime("2025-03-03T03:00:04Z")}by Microsoft Entra ID sync, run #12`);
    expect(cells[4]).toHaveTextContent("4 h 12 min");
    expect(cells[5]).toHaveTextContent(`LT-001 ThinkPad T14 — returned ${formatDateTime("2025-03-04T10:00:00Z")}`);
    expect(cells[5]).toHaveTextContent("DK-004 USB-C dock — outstanding");
    const manualCells = within(max).getAllByRole("cell");
    expect(manualCells[1]).toHaveTextContent("Deactivated manually");
    expect(screen.getByText(TRAIL)).toBeInTheDocument();
    expect(manualCells[2]).toHaveTextContent("—");
    expect(manualCells[4]).toHaveTextContent("—");
    expect(manualCells[5]).toHaveTextContent("None");
  });

  it("asks for the period chosen", async () => {
    const calls = await openEvidence();
    await fireEvent.input(screen.getByLabelText("From"), { target: { value: "2025-01-01" } });
    await fireEvent.input(screen.getByLabelText("To"), { target: { value: "2025-03-31" } });
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(callsTo(calls, "evidence")).toHaveLength(2));
    expect(callsTo(calls, "evidence")[1].args).toEqual({ since: "2025-01-01", until: "2025-03-31" });
  });

  it("says when nobody was deactivated", async () => {
    openAssets({ evidence: () => ({ rows: [], since: "2025-01-01", until: "2025-03-31", generated_at: "2025-04-01T08:00:00Z", target_hours: 24, audit_trail: TRAIL }) });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("tab", { name: "Evidence" }));
    expect(await screen.findByText("Nobody was deactivated in this period.")).toBeInTheDocument();
  });

  it("does nothing when the export's save dialog is cancelled", async () => {
    vi.mocked(save).mockResolvedValue(null);
    const calls = await openEvidence({ export_evidence_csv: () => 2 });
    await userEvent.click(screen.getByRole("button", { name: "Export CSV…" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callsTo(calls, "export_evidence_csv")).toHaveLength(0);
    expect(screen.queryByText(/^Exported/)).not.toBeInTheDocument();
  });

  it("exports the period shown to the chosen file", async () => {
    vi.mocked(save).mockResolvedValue("/home/olivia/evidence.csv");
    const calls = await openEvidence({ export_evidence_csv: () => 2 });
    await fireEvent.input(screen.getByLabelText("From"), { target: { value: "2025-01-01" } });
    await fireEvent.input(screen.getByLabelText("To"), { target: { value: "2025-03-31" } });
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(callsTo(calls, "evidence")).toHaveLength(2));
    await userEvent.click(screen.getByRole("button", { name: "Export CSV…" }));
    expect(await screen.findByText("Exported 2 deactivations to /home/olivia/evidence.csv.")).toBeInTheDocument();
    expect(vi.mocked(save).mock.calls[0][0]?.defaultPath).toBe("uniasset-deprovisioning-2025-01-01-to-2025-03-31.csv");
    expect(callsTo(calls, "export_evidence_csv").map((c) => c.args)).toEqual([
      { since: "2025-01-01", until: "2025-03-31", path: "/home/olivia/evidence.csv" },
    ]);
  });

  it("shows a print view with the organization and the period, and opens the print dialog", async () => {
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    await openEvidence();
    await userEvent.click(screen.getByRole("button", { name: "Print…" }));
    const view = await screen.findByRole("dialog", { name: "Deprovisioning evidence" });
    expect(print).toHaveBeenCalledTimes(1);
    // Outside the window's layout, so the print stylesheet can leave the rest out.
    expect(view.parentElement).toBe(document.body);
    expect(view).toHaveClass("print-view");
    expect(view).toHaveTextContent("Acme Ltd");
    const period = `Period: ${new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(2025, 0, 1))} – ${new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(2025, 2, 31))}`;
    expect(view).toHaveTextContent(period);
    const table = within(view).getByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(table).toHaveTextContent("4 h 12 min");
    expect(within(view).getByRole("button", { name: "Close" })).toHaveFocus();
    await userEvent.click(within(view).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Print…" })).toHaveFocus());
    print.mockRestore();
  });
});

describe("evidence an auditor accepts", () => {
  const TRAIL = "Audit trail verified at 2025-04-01T08:00:00Z: 3 entries, each as UniAsset recorded it.";
  const offboarded = makeEvidenceRow({
    user_id: 9,
    email: "olaf@acme.test",
    name: "Olaf Offboarded",
    reason: "manual",
    trigger: "offboarded",
    detected_at: null,
    deactivated_by: "Olivia Owner",
    run_id: null,
    delay_seconds: null,
    target_met: null,
    disabled_in_entra_at: "2025-03-03T02:59:58Z",
    sessions: "ended",
    sessions_ended_at: "2025-03-03T03:00:06Z",
  });
  const late = makeEvidenceRow({
    applied_by: "Adam Admin",
    applied_at: "2025-03-05T09:00:00Z",
    delay_seconds: 2 * 86_400,
    target_met: false,
  });
  const evidence = { rows: [offboarded, late], since: null, until: null, generated_at: "2025-04-01T08:00:00Z", target_hours: 24, audit_trail: TRAIL };

  async function openEvidence(handlers: Handlers = {}) {
    const calls = openAssets({ evidence: () => evidence, ...handlers });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("tab", { name: "Evidence" }));
    await screen.findByRole("table", { name: /^Deactivations/ });
    return calls;
  }

  it("shows the object id, what started it, the sessions, who applied a held run and the target", async () => {
    await openEvidence();
    const [olaf, dana] = within(screen.getByRole("table", { name: /^Deactivations/ })).getAllByRole("row").slice(1);
    const o = within(olaf).getAllByRole("cell");
    expect(o[1]).toHaveTextContent(`Offboarded here Disabled in Entra ${formatDateTime("2025-03-03T02:59:58Z")}`);
    expect(o[3]).toHaveTextContent(`Microsoft sessions ended, ${formatDateTime("2025-03-03T03:00:06Z")}`);
    expect(o[4]).toHaveTextContent("Not measured: a person acted");
    const d = within(dana).getAllByRole("cell");
    expect(d[0]).toHaveTextContent("0f1e2d3c-aaaa-4bbb-8ccc-000000000007");
    expect(d[3]).toHaveTextContent(`Held run applied by Adam Admin, ${formatDateTime("2025-03-05T09:00:00Z")}`);
    expect(d[4]).toHaveTextContent("2 d");
    const over = within(d[4]).getByText("Over target");
    expect(over).toHaveClass("badge-warn");
    expect(over).toHaveAttribute("title", "Target: 24 hours from detection to deactivation");
  });

  it("names who received each asset back, with the note and its serial", async () => {
    const withAssets = makeEvidenceRow({
      assets: [
        { tag: "LT-9", name: "ThinkPad", serial: "PF-9", held_at_deactivation: true, held_since: "2024-01-02T09:00:00Z", returned_at: "2025-03-04T10:00:00Z", outcome: "returned", received_by: "Olivia Owner", lost_by: null, note: "Scratched lid", written_off_by: null, write_off_reason: null, },
        { tag: "PH-2", name: "Phone", serial: null, held_at_deactivation: true, held_since: "2024-01-02T09:00:00Z", returned_at: "2025-03-05T10:00:00Z", outcome: "lost", received_by: null, lost_by: "Adam Admin", note: "Left in a taxi", written_off_by: null, write_off_reason: null, },
      ],
    });
    openAssets({ evidence: () => ({ ...evidence, rows: [withAssets] }) });
    await row("ThinkPad T14");
    await userEvent.click(screen.getByRole("tab", { name: "Evidence" }));
    const table = await screen.findByRole("table", { name: /^Deactivations/ });
    const held = within(within(table).getAllByRole("row")[1]).getAllByRole("cell")[5];
    expect(held).toHaveTextContent(`LT-9 ThinkPad (serial PF-9) — returned ${formatDateTime("2025-03-04T10:00:00Z")} · received by Olivia Owner “Scratched lid”`);
    expect(held).toHaveTextContent(`PH-2 Phone — lost ${formatDateTime("2025-03-05T10:00:00Z")} · by Adam Admin “Left in a taxi”`);
    expect(held).toHaveTextContent(`held since ${formatDateTime("2024-01-02T09:00:00Z")}`);
  });

  it("saves the target and measures the report against it again; the core's refusal is shown", async () => {
    let target = 24;
    const calls = await openEvidence({
      save_evidence_target: ({ hours }) => {
        if (hours < 1 || hours > 720) throw { code: "invalid_target", message: `The target time must be between 1 and 720 hours (30 days), not ${hours}.` };
        return (target = hours);
      },
      evidence: () => ({ ...evidence, target_hours: target }),
    });
    const field = screen.getByLabelText("Target from detection to deactivation (hours)");
    expect(field).toHaveValue(24);
    await userEvent.clear(field);
    await userEvent.type(field, "900");
    await userEvent.click(within(field.closest("form") as HTMLElement).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("The target time must be between 1 and 720 hours (30 days), not 900.")).toBeInTheDocument();
    expect(callsTo(calls, "evidence")).toHaveLength(1);
    await userEvent.clear(field);
    await userEvent.type(field, "72");
    await userEvent.click(within(field.closest("form") as HTMLElement).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved: 72 hours.")).toBeInTheDocument();
    await waitFor(() => expect(callsTo(calls, "evidence")).toHaveLength(2));
    expect(callsTo(calls, "save_evidence_target").map((c) => c.args)).toEqual([{ hours: 900 }, { hours: 72 }]);
    await waitFor(() => expect(field).toHaveValue(72));
  });
});

describe("assets coming back", () => {
  const overdue = makeAsset(4, { tag: "DK-004", name: "USB-C dock", status: "in_use", assigned_to: 7, assigned_to_name: "Dana Driver", return_due: "2025-03-17", return_state: "overdue" });
  const due = makeAsset(5, { tag: "LT-005", name: "ThinkPad", status: "in_use", assigned_to: 7, assigned_to_name: "Dana Driver", return_due: "2025-04-30", return_state: "due" });

  async function openLeavers(handlers: Handlers = {}) {
    const calls = openAssets({ leaver_count: () => 1, leavers: () => [makeLeaver(dana, [overdue, due])], ...handlers });
    await userEvent.click(await screen.findByRole("tab", { name: "Leavers (1)" }));
    const card = await screen.findByRole("listitem", { name: "Dana Driver" });
    return { calls, card };
  }

  it("shows when each asset is due back, marks the overdue one and offers Write off only for it", async () => {
    const { card } = await openLeavers();
    const [dockRow, laptopRow] = within(card).getAllByRole("row").slice(1);
    expect(dockRow).toHaveTextContent(`${formatDate("2025-03-17")} Overdue Change`);
    expect(within(dockRow).getByText("Overdue")).toHaveClass("badge-danger");
    expect(laptopRow).toHaveTextContent(formatDate("2025-04-30"));
    expect(within(laptopRow).queryByText("Due")).not.toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Write off DK-004" })).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: "Write off LT-005" })).not.toBeInTheDocument();
  });

  it("writes an overdue asset off with a reason and a note", async () => {
    const { calls } = await openLeavers({ write_off_asset: () => ({ ...overdue, status: "written_off", assigned_to: null }) });
    await userEvent.click(screen.getByRole("button", { name: "Write off DK-004" }));
    const dialog = screen.getByRole("alertdialog", { name: "Write off DK-004?" });
    expect(dialog).toHaveTextContent(`was due back on ${formatDate("2025-03-17")}`);
    await userEvent.selectOptions(within(dialog).getByLabelText("Reason"), "Bought out by the leaver");
    await userEvent.type(within(dialog).getByLabelText(/Note/), "Paid 200 EUR");
    await userEvent.click(within(dialog).getByRole("button", { name: "Write off" }));
    expect(await screen.findByText("DK-004 was written off.")).toBeInTheDocument();
    expect(callsTo(calls, "write_off_asset").map((c) => c.args)).toEqual([{ assetId: 4, reason: "bought_out", note: "Paid 200 EUR" }]);
  });

  it("moves one asset's due date, and shows the core's refusal in the dialog", async () => {
    let refuse = true;
    const { calls } = await openLeavers({
      set_return_due: ({ day }) => {
        if (refuse) throw { code: "invalid_date", message: "2025-01-01 is not a day UniAsset can use: give a date from the day Dana Driver <dana@acme.test> left on, as YYYY-MM-DD." };
        return { ...due, return_due: day };
      },
    });
    await userEvent.click(screen.getByRole("button", { name: "Change due date of LT-005" }));
    const dialog = screen.getByRole("dialog", { name: "Due date for LT-005" });
    const field = within(dialog).getByLabelText("Due back on");
    expect(field).toHaveValue("2025-04-30");
    await fireEvent.input(field, { target: { value: "2025-01-01" } });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText(/is not a day UniAsset can use/)).toBeInTheDocument();
    refuse = false;
    await fireEvent.input(field, { target: { value: "2025-05-15" } });
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText(`LT-005 is now due back on ${formatDate("2025-05-15")}.`)).toBeInTheDocument();
    expect(callsTo(calls, "set_return_due").map((c) => c.args)).toEqual([
      { assetId: 5, day: "2025-01-01" },
      { assetId: 5, day: "2025-05-15" },
    ]);
  });
});
