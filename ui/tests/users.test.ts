import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import UsersTab from "../src/screens/settings/UsersTab.svelte";
import type { User } from "../src/bindings/User";
import type { UserRow } from "../src/bindings/UserRow";
import { asRow, callsTo, makeUser, mockCore, usersWindow, makeAsset, makeAuditEntry, makeRun } from "./fixtures";

const counts = { all: 5, active: 3, deactivated: 2 };
const owner = makeUser(100, { display_name: "Olivia Owner", role: "owner" });
const noFilters = { status: null, search: null, role: null, sign_in: null, gap: null, offset: 0, limit: 120 };

function coreWithUsers(users: (User | UserRow)[]) {
  return mockCore({ list_users: usersWindow(users.map((u) => asRow(u)), counts) });
}

const dataRows = () => screen.getAllByRole("row").filter((row) => row.getAttribute("aria-rowindex") !== "1");

describe("users screen", () => {
  it("filter buttons show the counts and ask for the chosen status", async () => {
    const calls = coreWithUsers([makeUser(1)]);
    render(UsersTab);

    const filters = within(screen.getByRole("group", { name: "Filter by status" }));
    const all = await filters.findByRole("button", { name: "All (5)" });
    expect(all).toHaveAttribute("aria-pressed", "true");
    expect(filters.getByRole("button", { name: "Active (3)" })).toHaveAttribute("aria-pressed", "false");
    expect(callsTo(calls, "list_users")).toEqual([{ cmd: "list_users", args: { query: noFilters } }]);

    await userEvent.click(filters.getByRole("button", { name: "Deactivated (2)" }));
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, status: "deactivated" } });
    expect(filters.getByRole("button", { name: "Deactivated (2)" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.click(filters.getByRole("button", { name: "Active (3)" }));
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, status: "active" } });
  });

  it("asks the core at each keystroke and shows only the newest answer", async () => {
    const carla = asRow(makeUser(3, { display_name: "Carla Diaz" }));
    const rows = [makeUser(1, { display_name: "Ann Archer" }), makeUser(2, { display_name: "Andy Baker" })].map((u) => asRow(u));
    // The answer to "a" comes after the answer to "an": it must not replace it.
    let releaseA = () => {};
    const calls = mockCore({
      list_users: (args) => {
        const search = (args.query as { search: string | null }).search;
        const answer = usersWindow(search === "an" ? rows : [...rows, carla], counts);
        if (search === "a") return new Promise((resolve) => (releaseA = () => resolve(answer(args))));
        return answer(args);
      },
    });
    render(UsersTab);
    await screen.findByRole("table", { name: "Users" });

    await userEvent.type(screen.getByLabelText("Search users"), "an");
    expect(callsTo(calls, "list_users").map((c) => (c.args.query as { search: string | null }).search)).toEqual([
      null,
      "a",
      "an",
    ]);
    await waitFor(() => expect(screen.queryByText("Carla Diaz")).not.toBeInTheDocument());
    releaseA();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByText("Carla Diaz")).not.toBeInTheDocument();
    expect(screen.getByText("Ann Archer")).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Users" })).toHaveAttribute("aria-rowcount", "3");

    await userEvent.type(screen.getByLabelText("Search users"), "x");
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, search: "anx" } });
  });

  it("lists users with role, sign-in method and deactivation reason in words", async () => {
    coreWithUsers([
      makeUser(1, { display_name: "Ann Active", role: "admin", sign_in: "google" }),
      makeUser(2, {
        display_name: "Dan Disabled",
        sign_in: "microsoft",
        status: "deactivated",
        deactivated_at: "2025-03-03T03:00:00Z",
        deactivated_by: "Microsoft Entra ID sync",
        deactivation_reason: "disabled_in_entra",
      }),
      makeUser(3, { status: "deactivated", deactivation_reason: "deleted_from_entra" }),
      makeUser(4, { status: "deactivated", deactivation_reason: "manual", deactivated_by: "Olivia Owner" }),
    ]);
    render(UsersTab);

    const ann = (await screen.findByText("Ann Active")).closest("[role=row]") as HTMLElement;
    expect(within(ann).getByText("Admin")).toBeInTheDocument();
    expect(within(ann).getByText("Google")).toBeInTheDocument();
    expect(within(ann).getByText("Active")).toBeInTheDocument();

    const dan = screen.getByText("Dan Disabled").closest("[role=row]") as HTMLElement;
    expect(within(dan).getByText("Microsoft")).toBeInTheDocument();
    expect(within(dan).getByText("Deactivated")).toBeInTheDocument();
    expect(within(dan).getByText(/^Disabled in Entra · .+ · by Microsoft Entra ID sync$/)).toBeInTheDocument();

    expect(screen.getByText("Deleted from Entra")).toBeInTheDocument();
    expect(screen.getByText("Deactivated manually · by Olivia Owner")).toBeInTheDocument();
  });

  it("shows the core's error", async () => {
    mockCore({
      list_users: () => {
        throw { code: "not_signed_in", message: "Your session has ended. Sign in again." };
      },
    });
    render(UsersTab);
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("Your session has ended. Sign in again."),
    );
  });
});

describe("virtual list", () => {
  it("asks the core only for the rows in view at 10,000 users and follows scrolling", async () => {
    const calls = coreWithUsers(Array.from({ length: 10_000 }, (_, i) => makeUser(i)));
    render(UsersTab);

    const table = await screen.findByRole("table", { name: "Users" });
    expect(table).toHaveAttribute("aria-rowcount", "10001");
    expect(dataRows().length).toBeGreaterThan(10);
    expect(dataRows().length).toBeLessThan(40);
    expect(screen.getByText("User 0")).toBeInTheDocument();

    // jsdom does no layout, so set the scroll offset by hand: 5,000 rows of 52px down.
    const viewport = screen.getByRole("rowgroup");
    Object.defineProperty(viewport, "scrollTop", { value: 5000 * 52, configurable: true, writable: true });
    await fireEvent.scroll(viewport);

    expect(await screen.findByText("User 5000")).toBeInTheDocument();
    expect(screen.queryByText("User 0")).not.toBeInTheDocument();
    const rows = dataRows();
    expect(rows.length).toBeLessThan(40);
    const firstIndex = Number(rows[0].getAttribute("aria-rowindex"));
    expect(firstIndex).toBeGreaterThan(4990);
    expect(firstIndex).toBeLessThanOrEqual(5002);
    expect(rows.every((row) => row.getAttribute("aria-busy") !== "true")).toBe(true);
    // Two windows asked for, never the whole list: the first rows, then those around row 5,000.
    const asked = callsTo(calls, "list_users").map((c) => c.args.query as { offset: number; limit: number });
    expect(asked.map((q) => q.limit)).toEqual([120, 120]);
    expect(asked[1].offset).toBeGreaterThan(4880);
    expect(asked[1].offset).toBeLessThanOrEqual(5000);

    // A new search starts from its first row.
    await userEvent.type(screen.getByLabelText("Search users"), "User 1");
    await waitFor(() => expect(viewport.scrollTop).toBe(0));
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, search: "User 1" } });
  });
});

describe("role and sign-in filters", () => {
  it("pass the chosen role and sign-in method in the query", async () => {
    const calls = coreWithUsers([makeUser(1)]);
    render(UsersTab);
    await screen.findByRole("table", { name: "Users" });

    await userEvent.selectOptions(screen.getByLabelText("Role"), "Admin");
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, role: "admin" } });

    await userEvent.selectOptions(screen.getByLabelText("Sign-in method"), "Microsoft");
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({
      query: { ...noFilters, role: "admin", sign_in: "microsoft" },
    });

    await userEvent.selectOptions(screen.getByLabelText("Role"), "All");
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, sign_in: "microsoft" } });
  });
});

describe("people who need attention", () => {
  it("marks who cannot sign in or is not checked, and filters for them with counts", async () => {
    const pat = { ...asRow(makeUser(1, { display_name: "Pat Password" })), gap: "cannot_sign_in" as const };
    const max = { ...asRow(makeUser(2, { display_name: "Max Microsoft", sign_in: "microsoft" })), gap: "not_linked" as const };
    const calls = mockCore({
      list_users: usersWindow([pat, max], { ...counts, cannot_sign_in: 1, not_linked: 1 }),
    });
    render(UsersTab);
    const patRow = (await screen.findByText("Pat Password")).closest("[role=row]") as HTMLElement;
    expect(within(patRow).getByText("Cannot sign in")).toHaveAttribute("title", expect.stringContaining("Set password"));
    const maxRow = screen.getByText("Max Microsoft").closest("[role=row]") as HTMLElement;
    expect(within(maxRow).getByText("Not checked")).toHaveAttribute("title", expect.stringContaining("nightly check"));

    const gap = screen.getByLabelText("Needs attention");
    expect(within(gap).getByRole("option", { name: "Not linked to Entra (1)" })).toBeInTheDocument();
    await userEvent.selectOptions(gap, "not_linked");
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { ...noFilters, gap: "not_linked" } });
  });
});

const ann = makeUser(1, { display_name: "Ann Active", email: "ann@acme.test" });
const dan = makeUser(2, {
  display_name: "Dan Disabled",
  email: "dan@acme.test",
  sign_in: "microsoft",
  entra_object_id: "6f1d0c2a-0000-4000-8000-000000000002",
  status: "deactivated",
  deactivated_at: "2025-03-03T03:00:00Z",
  deactivated_by: "Microsoft Entra ID sync",
  deactivation_reason: "disabled_in_entra",
});

async function openMenu(name: string) {
  await userEvent.click(await screen.findByRole("button", { name: `Actions for ${name}` }));
  return screen.getByRole("menu", { name: `Actions for ${name}` });
}

const itemNames = (menu: HTMLElement) => within(menu).getAllByRole("menuitem").map((item) => item.textContent);

describe("⋮ menu", () => {
  it("offers Reactivate for deactivated and Deactivate for active users to Owners and Admins", async () => {
    // The core leaves Deactivate off your own row (it refuses self-deactivation).
    coreWithUsers([ann, dan, asRow(owner, { deactivate: false })]);
    render(UsersTab);

    const button = await screen.findByRole("button", { name: "Actions for Dan Disabled" });
    expect(button).toHaveAttribute("aria-haspopup", "menu");
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(itemNames(await openMenu("Dan Disabled"))).toEqual([
      "Reactivate",
      "Never deactivate automatically",
      "Details",
    ]);
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(button).toHaveAttribute("aria-controls", screen.getByRole("menu").id);

    expect(itemNames(await openMenu("Ann Active"))).toEqual([
      "Deactivate",
      "Never deactivate automatically",
      "Details",
    ]);
    expect(screen.getAllByRole("menu")).toHaveLength(1);
    // The core refuses self-deactivation, so your own row does not offer it.
    expect(itemNames(await openMenu("Olivia Owner"))).toEqual(["Never deactivate automatically", "Details"]);
  });

  it("offers an Admin no protection change on an Owner's row", async () => {
    coreWithUsers([asRow(owner, { protect: false })]);
    render(UsersTab);
    expect(itemNames(await openMenu("Olivia Owner"))).toEqual(["Deactivate", "Details"]);
  });

  it("marks a user protected, shows the badge, and offers to lift it", async () => {
    const guarded = { ...ann, protected: true };
    let users = [ann];
    const calls = mockCore({
      list_users: (args) => usersWindow(users.map((u) => asRow(u)), counts)(args),
      set_user_protected: () => {
        users = [guarded];
        return guarded;
      },
    });
    render(UsersTab);
    await userEvent.click(
      within(await openMenu("Ann Active")).getByRole("menuitem", { name: "Never deactivate automatically" }),
    );
    expect(callsTo(calls, "set_user_protected")).toEqual([
      { cmd: "set_user_protected", args: { userId: ann.id, protected: true } },
    ]);
    expect(await screen.findByText("Protected")).toHaveAttribute(
      "title",
      "Never deactivated automatically by the Entra ID sync",
    );
    expect(itemNames(await openMenu("Ann Active"))).toContain("Allow automatic deactivation");
  });

  it("Check now reads one linked person in Entra at once and says what became of them", async () => {
    const linked = { sign_in: "microsoft" as const, entra_object_id: "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11" };
    const dana = makeUser(7, { display_name: "Dana Driver", email: "dana@northwind.example", ...linked });
    let users = [asRow(dana, { check: true })];
    const calls = mockCore({
      list_users: (args) => usersWindow(users, counts)(args),
      check_person: () => {
        users = [asRow({ ...dana, status: "deactivated" }, { check: true })];
        return makeRun(9, { trigger: "person", headline: "deactivated (disabled in Entra)" });
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dana Driver")).getByRole("menuitem", { name: "Check now" }));
    expect(callsTo(calls, "check_person")).toEqual([{ cmd: "check_person", args: { userId: 7 } }]);
    expect(await screen.findByRole("status")).toHaveTextContent(
      "dana@northwind.example: deactivated (disabled in Entra).",
    );
    await waitFor(() => expect(callsTo(calls, "list_users")).toHaveLength(2));
  });

  it("offers Check now only where the core allows it, and shows its refusal", async () => {
    const dana = makeUser(7, { display_name: "Dana Driver", sign_in: "microsoft", entra_object_id: "x" });
    mockCore({
      list_users: usersWindow([asRow(dana, { check: true }), asRow(ann)], counts),
      check_person: () => {
        throw { code: "entra_not_connected", message: "Microsoft Entra ID is not connected yet." };
      },
    });
    render(UsersTab);
    expect(itemNames(await openMenu("Ann Active"))).not.toContain("Check now");
    await userEvent.keyboard("{Escape}");
    await userEvent.click(within(await openMenu("Dana Driver")).getByRole("menuitem", { name: "Check now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("not connected yet");
  });

  it("Offboard… shows what one step will do and what they hold, then says what was done", async () => {
    const dana = makeUser(7, { display_name: "Dana Driver", email: "dana@northwind.example", sign_in: "microsoft" });
    const laptop = makeAsset(3, { tag: "LAPTOP-7", name: "ThinkPad T14", serial: "PF-123" });
    const result = (dry_run: boolean) => ({
      user: dana,
      dry_run,
      disabled_in_entra_at: dry_run ? null : "2026-12-07T10:00:00Z",
      entra_refused: null,
      sessions: null,
      assets: [laptop],
      summary: dry_run ? "would" : "dana@northwind.example was offboarded. Assets to recover: LAPTOP-7 (ThinkPad T14).",
    });
    const calls = mockCore({
      list_users: usersWindow([asRow(dana, { offboard: true })], counts),
      offboard_user: ({ choice }) => result(choice.dry_run),
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dana Driver")).getByRole("menuitem", { name: "Offboard…" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Offboard Dana Driver?" });
    expect(await within(dialog).findByText(/ThinkPad T14, serial PF-123/)).toBeInTheDocument();
    expect(dialog).toHaveTextContent("disables their account in Microsoft Entra ID");
    await userEvent.click(within(dialog).getByRole("button", { name: "Offboard" }));
    expect(await screen.findByRole("status")).toHaveTextContent("dana@northwind.example was offboarded.");
    expect(callsTo(calls, "offboard_user").map((c) => c.args)).toEqual([
      { userId: 7, choice: { dry_run: true, anyway: false } },
      { userId: 7, choice: { dry_run: false, anyway: false } },
    ]);
  });

  it("Offboard… shows Entra's refusal and may deactivate here anyway", async () => {
    const dana = makeUser(7, { display_name: "Dana Driver", sign_in: "microsoft" });
    const calls = mockCore({
      list_users: usersWindow([asRow(dana, { offboard: true })], counts),
      offboard_user: ({ choice }) => {
        if (!choice.dry_run && !choice.anyway) {
          throw { code: "entra_refused", message: "Microsoft Entra ID refused to disable them: an administrator role." };
        }
        return {
          user: dana,
          dry_run: choice.dry_run,
          disabled_in_entra_at: null,
          entra_refused: choice.dry_run ? null : "refused",
          sessions: null,
          assets: [],
          summary: "Dana was offboarded.",
        };
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dana Driver")).getByRole("menuitem", { name: "Offboard…" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Offboard Dana Driver?" });
    expect(await within(dialog).findByText("They hold no assets.")).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Offboard" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("an administrator role");
    await userEvent.click(within(dialog).getByRole("button", { name: "Deactivate here anyway" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Dana was offboarded.");
    expect(callsTo(calls, "offboard_user").at(-1)?.args).toEqual({ userId: 7, choice: { dry_run: false, anyway: true } });
  });

  it("offers Members only Details", async () => {
    const none = { deactivate: false, reactivate: false, protect: false };
    coreWithUsers([asRow(ann, none), asRow(dan, none)]);
    render(UsersTab);
    expect(itemNames(await openMenu("Dan Disabled"))).toEqual(["Details"]);
    expect(itemNames(await openMenu("Ann Active"))).toEqual(["Details"]);
  });

  it("works from the keyboard: arrows move, Escape closes and returns focus", async () => {
    coreWithUsers([dan]);
    render(UsersTab);
    const button = await screen.findByRole("button", { name: "Actions for Dan Disabled" });
    button.focus();

    await userEvent.keyboard("{ArrowDown}");
    const menu = screen.getByRole("menu");
    expect(within(menu).getByRole("menuitem", { name: "Reactivate" })).toHaveFocus();
    await userEvent.keyboard("{ArrowDown}");
    expect(within(menu).getByRole("menuitem", { name: "Never deactivate automatically" })).toHaveFocus();
    await userEvent.keyboard("{ArrowDown}");
    expect(within(menu).getByRole("menuitem", { name: "Details" })).toHaveFocus();
    await userEvent.keyboard("{ArrowDown}");
    expect(within(menu).getByRole("menuitem", { name: "Reactivate" })).toHaveFocus();
    await userEvent.keyboard("{End}");
    expect(within(menu).getByRole("menuitem", { name: "Details" })).toHaveFocus();

    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
    expect(button).toHaveFocus();

    await userEvent.keyboard("{ArrowUp}");
    expect(within(screen.getByRole("menu")).getByRole("menuitem", { name: "Details" })).toHaveFocus();
    await userEvent.click(document.body);
    expect(screen.queryByRole("menu")).not.toBeInTheDocument();
  });
});

describe("deactivate", () => {
  it("asks first, then calls deactivate_user and asks for the list again", async () => {
    const calls = mockCore({
      list_users: usersWindow([asRow(ann)], counts),
      deactivate_user: () => ({ ...ann, status: "deactivated", deactivation_reason: "manual" }),
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Ann Active")).getByRole("menuitem", { name: "Deactivate" }));

    const dialog = screen.getByRole("alertdialog", { name: "Deactivate Ann Active?" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(dialog).toHaveAccessibleDescription("They can no longer sign in. Their assets and history are kept.");
    expect(callsTo(calls, "deactivate_user")).toHaveLength(0);
    const listed = callsTo(calls, "list_users").length;

    await userEvent.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "deactivate_user")).toEqual([{ cmd: "deactivate_user", args: { userId: 1 } }]);
    expect(screen.getByRole("status")).toHaveTextContent("Ann Active was deactivated.");
    await waitFor(() => expect(callsTo(calls, "list_users")).toHaveLength(listed + 1));
  });

  it("keeps focus inside the dialog, and Escape cancels and gives focus back", async () => {
    const calls = coreWithUsers([ann]);
    render(UsersTab);
    const button = await screen.findByRole("button", { name: "Actions for Ann Active" });
    button.focus();
    await userEvent.keyboard("{ArrowDown}{Enter}");

    const dialog = screen.getByRole("alertdialog");
    const cancel = within(dialog).getByRole("button", { name: "Cancel" });
    const confirm = within(dialog).getByRole("button", { name: "Deactivate" });
    expect(cancel).toHaveFocus();
    await userEvent.tab();
    expect(confirm).toHaveFocus();
    await userEvent.tab();
    expect(cancel).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(confirm).toHaveFocus();

    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    expect(callsTo(calls, "deactivate_user")).toHaveLength(0);
  });

  it("shows the core's refusal in the dialog", async () => {
    mockCore({
      list_users: usersWindow([asRow(ann)], counts),
      deactivate_user: () => {
        throw { code: "last_owner", message: "ann@acme.test is the last active Owner and cannot be deactivated." };
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Ann Active")).getByRole("menuitem", { name: "Deactivate" }));
    const dialog = screen.getByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Deactivate" }));
    await waitFor(() =>
      expect(within(dialog).getByRole("alert")).toHaveTextContent(
        /^ann@acme\.test is the last active Owner and cannot be deactivated\.$/,
      ),
    );
  });
});

describe("reactivate", () => {
  const warning =
    "Microsoft Entra ID says dan@acme.test's account is disabled. Auto-deprovisioning is still enabled, so the " +
    "next nightly sync will deactivate them again. Re-enable their Entra account first, or reactivate anyway.";

  it("reactivates at once when the core has no objection", async () => {
    const calls = mockCore({
      list_users: usersWindow([asRow(dan)], counts),
      reactivate_user: () => ({ ...dan, status: "active" }),
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dan Disabled")).getByRole("menuitem", { name: "Reactivate" }));

    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Dan Disabled was reactivated."));
    expect(callsTo(calls, "reactivate_user")).toEqual([
      { cmd: "reactivate_user", args: { userId: 2, confirmed: false } },
    ]);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(callsTo(calls, "list_users")).toHaveLength(2);
  });

  it("shows the article's warning when Entra still says disabled, and Reactivate anyway confirms", async () => {
    const calls = mockCore({
      list_users: usersWindow([asRow(dan)], counts),
      reactivate_user: (args) => {
        if (!args.confirmed) throw { code: "reactivation_needs_confirmation", message: warning };
        return { ...dan, status: "active" };
      },
    });
    render(UsersTab);
    const button = await screen.findByRole("button", { name: "Actions for Dan Disabled" });
    await userEvent.click(within(await openMenu("Dan Disabled")).getByRole("menuitem", { name: "Reactivate" }));

    const dialog = await screen.findByRole("alertdialog", { name: "Their Entra account is still disabled" });
    expect(within(dialog).getByText(warning)).toBeInTheDocument();
    expect(
      within(dialog).getByText("Re-enable their Entra account first before reactivating in UniAsset."),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();

    await userEvent.click(within(dialog).getByRole("button", { name: "Reactivate anyway" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "reactivate_user").map((c) => c.args)).toEqual([
      { userId: 2, confirmed: false },
      { userId: 2, confirmed: true },
    ]);
    expect(screen.getByRole("status")).toHaveTextContent("Dan Disabled was reactivated.");
    expect(button).toHaveFocus();
    expect(callsTo(calls, "list_users")).toHaveLength(2);
  });

  it("Cancel on the warning reactivates nobody", async () => {
    const calls = mockCore({
      list_users: usersWindow([asRow(dan)], counts),
      reactivate_user: () => {
        throw { code: "reactivation_needs_confirmation", message: warning };
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dan Disabled")).getByRole("menuitem", { name: "Reactivate" }));
    await userEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(callsTo(calls, "reactivate_user")).toHaveLength(1);
  });

  it("shows any other refusal verbatim", async () => {
    mockCore({
      list_users: usersWindow([asRow(dan)], counts),
      reactivate_user: () => {
        throw { code: "needs_owner", message: "Only an Owner can reactivate an Owner." };
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dan Disabled")).getByRole("menuitem", { name: "Reactivate" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^Only an Owner can reactivate an Owner\.$/),
    );
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });
});

describe("details", () => {
  it("shows the user and their assets, audit trail, maintenance logs and documents", async () => {
    const calls = mockCore({
      list_users: usersWindow([asRow(dan)], counts),
      user_details: () => ({
        user: dan,
        assets: [
          makeAsset(9, { tag: "A-009", name: "ThinkPad T14", status: "in_use", assigned_to: 2, assigned_to_name: "Dan Disabled", assigned_to_status: "deactivated" }),
        ],
        audit: [
          makeAuditEntry(1, {
            at: "2025-03-03T03:00:00Z",
            actor: "Microsoft Entra ID sync",
            action: "user.deactivated",
            subject_user_id: 2,
            subject: "Dan Disabled <dan@acme.test>",
            detail: "Reason: disabled in Entra",
          }),
        ],
        maintenance_logs: [],
        documents: [
          { id: 4, asset_id: 9, file_name: "receipt.pdf", sha256: "ab", size_bytes: 2048, uploaded_at: "2025-02-01T10:00:00Z" },
        ],
        sessions: {
          outcome: "ended",
          at: "2025-03-03T03:00:05Z",
          detail: "Their Microsoft sign-in sessions were ended: apps and browsers must sign in again.",
        },
        manager: { email: "mona@acme.test", name: "Mona Manager", source: "entra", set_at: "2025-03-03T03:00:06Z" },
      }),
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Dan Disabled")).getByRole("menuitem", { name: "Details" }));

    const dialog = screen.getByRole("dialog", { name: "Dan Disabled" });
    expect(await within(dialog).findByText("dan@acme.test")).toBeInTheDocument();
    expect(callsTo(calls, "user_details")).toEqual([{ cmd: "user_details", args: { userId: 2 } }]);
    expect(within(dialog).getByText("6f1d0c2a-0000-4000-8000-000000000002")).toBeInTheDocument();
    expect(within(dialog).getByText(/^Disabled in Entra · .+ · by Microsoft Entra ID sync$/)).toBeInTheDocument();
    expect(dialog).toHaveTextContent("Microsoft sessions ended, ");
    expect(dialog).toHaveTextContent("apps and browsers must sign in again");
    expect(dialog).toHaveTextContent("Mona Manager <mona@acme.test> (from Microsoft Entra ID)");

    const section = (name: string) => within(dialog).getByRole("region", { name });
    expect(within(section("Assets")).getByRole("cell", { name: "ThinkPad T14" })).toBeInTheDocument();
    expect(within(section("Audit trail")).getByRole("cell", { name: "Deactivated" })).toBeInTheDocument();
    expect(within(section("Audit trail")).getByRole("cell", { name: "Reason: disabled in Entra" })).toBeInTheDocument();
    expect(within(section("Maintenance logs")).getByText("No maintenance logs.")).toBeInTheDocument();
    expect(within(section("Documents")).getByRole("cell", { name: "receipt.pdf" })).toBeInTheDocument();
    expect(within(section("Documents")).getByRole("cell", { name: "2.0 KB" })).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

describe("manager", () => {
  const linked = makeUser(5, { display_name: "Lin Linked", email: "lin@acme.test", sign_in: "microsoft", entra_object_id: "6f1d0c2a-0000-4000-8000-000000000005" });

  it("sets a manager by email, showing the core's refusal first", async () => {
    let refuse = true;
    const calls = mockCore({
      list_users: usersWindow([asRow(ann, { manager: true })], counts),
      set_manager: ({ email }) => {
        if (refuse) throw { code: "own_manager", message: "ann@acme.test cannot be their own manager." };
        return { email, name: "Mona Manager", source: "hand", set_at: "2025-03-03T03:00:06Z" };
      },
    });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Ann Active")).getByRole("menuitem", { name: "Manager…" }));
    const dialog = screen.getByRole("dialog", { name: "Manager of Ann Active" });
    expect(within(dialog).queryByLabelText("Manager")).not.toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText("Manager's email address"), "ann@acme.test");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("ann@acme.test cannot be their own manager.")).toBeInTheDocument();
    refuse = false;
    await userEvent.clear(within(dialog).getByLabelText("Manager's email address"));
    await userEvent.type(within(dialog).getByLabelText("Manager's email address"), "mona@acme.test");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("The manager of Ann Active is Mona Manager <mona@acme.test>.")).toBeInTheDocument();
    expect(callsTo(calls, "set_manager").map((c) => c.args)).toEqual([
      { userId: 1, email: "ann@acme.test" },
      { userId: 1, email: "mona@acme.test" },
    ]);
  });

  it("reads a linked person's manager from Microsoft Entra ID", async () => {
    const calls = mockCore({ list_users: usersWindow([asRow(linked, { manager: true, manager_from_entra: true })], counts), manager_from_entra: () => null });
    render(UsersTab);
    await userEvent.click(within(await openMenu("Lin Linked")).getByRole("menuitem", { name: "Manager…" }));
    const dialog = screen.getByRole("dialog", { name: "Manager of Lin Linked" });
    await userEvent.selectOptions(within(dialog).getByLabelText("Manager"), "The manager in Microsoft Entra ID");
    expect(within(dialog).queryByLabelText("Manager's email address")).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Lin Linked has no manager in Microsoft Entra ID.")).toBeInTheDocument();
    expect(callsTo(calls, "manager_from_entra").map((c) => c.args)).toEqual([{ userId: 5 }]);
  });

  it("is not offered without the core's leave", async () => {
    mockCore({ list_users: usersWindow([asRow(ann)], counts) });
    render(UsersTab);
    expect(itemNames(await openMenu("Ann Active"))).not.toContain("Manager…");
  });
});
