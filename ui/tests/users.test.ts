import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import UsersTab from "../src/screens/settings/UsersTab.svelte";
import type { User } from "../src/bindings/User";
import { callsTo, makeUser, mockCore } from "./fixtures";

const counts = { all: 5, active: 3, deactivated: 2 };

function coreWithUsers(users: User[]) {
  return mockCore({ list_users: () => ({ users, counts }) });
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
    expect(callsTo(calls, "list_users")).toEqual([
      { cmd: "list_users", args: { query: { status: null, search: null } } },
    ]);

    await userEvent.click(filters.getByRole("button", { name: "Deactivated (2)" }));
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { status: "deactivated", search: null } });
    expect(filters.getByRole("button", { name: "Deactivated (2)" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.click(filters.getByRole("button", { name: "Active (3)" }));
    expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { status: "active", search: null } });
  });

  it("passes the search to the core once typing pauses", async () => {
    const calls = coreWithUsers([makeUser(1)]);
    render(UsersTab);
    await screen.findByRole("table", { name: "Users" });

    await userEvent.type(screen.getByLabelText("Search users"), "  ann ");
    await waitFor(() =>
      expect(callsTo(calls, "list_users").at(-1)?.args).toEqual({ query: { status: null, search: "ann" } }),
    );
    // One request for the initial load and one for the search, not one per keystroke.
    expect(callsTo(calls, "list_users")).toHaveLength(2);
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
  it("renders only a window of rows for 10,000 users and follows scrolling", async () => {
    coreWithUsers(Array.from({ length: 10_000 }, (_, i) => makeUser(i)));
    render(UsersTab);

    const table = await screen.findByRole("table", { name: "Users" });
    expect(table).toHaveAttribute("aria-rowcount", "10001");
    expect(dataRows().length).toBeGreaterThan(10);
    expect(dataRows().length).toBeLessThan(40);
    expect(screen.getByText("User 0")).toBeInTheDocument();

    // jsdom does no layout, so set the scroll offset by hand: 5,000 rows of 52px down.
    const viewport = screen.getByRole("rowgroup");
    Object.defineProperty(viewport, "scrollTop", { value: 5000 * 52, configurable: true });
    await fireEvent.scroll(viewport);

    expect(screen.queryByText("User 0")).not.toBeInTheDocument();
    expect(screen.getByText("User 5000")).toBeInTheDocument();
    const rows = dataRows();
    expect(rows.length).toBeLessThan(40);
    const firstIndex = Number(rows[0].getAttribute("aria-rowindex"));
    expect(firstIndex).toBeGreaterThan(4990);
    expect(firstIndex).toBeLessThanOrEqual(5002);
  });
});
