import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Main from "../src/screens/Main.svelte";
import type { Asset } from "../src/bindings/Asset";
import type { UserStatus } from "../src/bindings/UserStatus";
import { callsTo, makeOverview, makeUser, mockCore, org } from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", role: "owner" });
const member = makeUser(2, { display_name: "Mia Member", role: "member" });

describe("assets", () => {
  it("marks deactivated assignees and leaves assets assigned", async () => {
    const asset = (id: number, name: string, holder: string | null, status: UserStatus | null): Asset => ({
      id,
      tag: `A-${id}`,
      name,
      assigned_to: holder ? id + 100 : null,
      assigned_to_name: holder,
      assigned_to_status: status,
    });
    mockCore({
      list_assets: () => [
        asset(1, "ThinkPad T14", "Dan Disabled", "deactivated"),
        asset(2, "MacBook Air", "Ann Active", "active"),
        asset(3, "Monitor", null, null),
      ],
    });
    render(Main, { org, user: owner, onSignedOut: () => {} });

    const dan = (await screen.findByText("ThinkPad T14")).closest("tr") as HTMLElement;
    expect(within(dan).getByText("Dan Disabled")).toBeInTheDocument();
    expect(within(dan).getByText("Deactivated")).toBeInTheDocument();
    const ann = screen.getByText("MacBook Air").closest("tr") as HTMLElement;
    expect(within(ann).queryByText("Deactivated")).not.toBeInTheDocument();
    expect(screen.getByText("Unassigned")).toBeInTheDocument();
  });

  it("has an empty state", async () => {
    mockCore({ list_assets: () => [] });
    render(Main, { org, user: owner, onSignedOut: () => {} });
    expect(await screen.findByText(/^No assets yet\./)).toBeInTheDocument();
  });
});

describe("settings", () => {
  it("has a tablist driven by click and arrow keys", async () => {
    mockCore({
      list_assets: () => [],
      list_users: () => ({ users: [], counts: { all: 0, active: 0, deactivated: 0 } }),
      autostart_enabled: () => false,
      entra_overview: () => makeOverview(),
    });
    render(Main, { org, user: owner, onSignedOut: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getByRole("button", { name: "Settings" })).toHaveAttribute("aria-current", "page");

    const general = screen.getByRole("tab", { name: "General" });
    expect(general).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tabpanel", { name: "General" })).toHaveTextContent("Acme Ltd");
    expect(screen.getByRole("tabpanel")).toHaveTextContent("Team");

    general.focus();
    await userEvent.keyboard("{ArrowRight}");
    const users = screen.getByRole("tab", { name: "Users" });
    expect(users).toHaveFocus();
    expect(users).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("button", { name: "All (0)" })).toBeInTheDocument();

    await userEvent.keyboard("{End}");
    expect(screen.getByRole("tabpanel", { name: "Integrations" })).toHaveTextContent("Microsoft Entra ID");
    expect(await screen.findByText("Not connected")).toBeInTheDocument();
    expect(general).toHaveAttribute("tabindex", "-1");
  });

  it("shows Members only General and Users", async () => {
    mockCore({
      list_assets: () => [],
      list_users: () => ({ users: [], counts: { all: 0, active: 0, deactivated: 0 } }),
      autostart_enabled: () => false,
    });
    render(Main, { org, user: member, onSignedOut: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));

    const tabs = screen.getAllByRole("tab").map((tab) => tab.textContent?.trim());
    expect(tabs).toEqual(["General", "Users"]);
    // Wrapping from the last tab goes back to General, not to a hidden Integrations tab.
    await userEvent.click(screen.getByRole("tab", { name: "Users" }));
    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "General" })).toHaveAttribute("aria-selected", "true");
  });

  it("shows Owners and Admins the Integrations tab", async () => {
    mockCore({ list_assets: () => [], autostart_enabled: () => false });
    render(Main, { org, user: makeUser(3, { role: "admin" }), onSignedOut: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent?.trim())).toEqual([
      "General",
      "Users",
      "Integrations",
    ]);
  });
});

describe("settings → general", () => {
  async function openGeneral(autostart: boolean, setAutostart: (args: Record<string, unknown>) => unknown) {
    const calls = mockCore({
      list_assets: () => [],
      autostart_enabled: () => autostart,
      set_autostart: setAutostart,
    });
    render(Main, { org, user: member, onSignedOut: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    return calls;
  }

  it("reflects autostart_enabled and turns start at login on with set_autostart", async () => {
    const calls = await openGeneral(false, (args) => args.enabled);
    const box = screen.getByRole("checkbox", { name: "Start UniAsset at login" });
    await waitFor(() => expect(box).toBeEnabled());
    expect(box).not.toBeChecked();
    expect(screen.getByText("Plan").nextElementSibling).toHaveTextContent("Team");
    expect(screen.getByText(/follows your system's light or dark theme/)).toBeInTheDocument();

    await userEvent.click(box);
    expect(callsTo(calls, "set_autostart")).toEqual([{ cmd: "set_autostart", args: { enabled: true } }]);
    await waitFor(() => expect(box).toBeChecked());
  });

  it("shows a checked box when already on, and the error verbatim when the change fails", async () => {
    await openGeneral(true, () => {
      throw { code: "autostart", message: "The login item could not be removed: permission denied." };
    });
    const box = screen.getByRole("checkbox", { name: "Start UniAsset at login" });
    await waitFor(() => expect(box).toBeChecked());

    await userEvent.click(box);
    await waitFor(() =>
      expect(within(screen.getByRole("tabpanel")).getByRole("alert")).toHaveTextContent(
        /^The login item could not be removed: permission denied\.$/,
      ),
    );
    expect(box).toBeChecked();
  });
});
