// After a restore from a backup (issue 14): the connection came back, its client secret did
// not (backups never hold it). The connection card asks for it, or offers Set it up for me.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import type { DeviceCodePrompt } from "../src/bindings/DeviceCodePrompt";
import type { EntraSettings } from "../src/bindings/EntraSettings";
import { callsTo, connection, makeOverview, mockCore } from "./fixtures";

const connected = (settings: Partial<EntraSettings> = {}) => makeOverview({}, { connection, ...settings });
const NEEDED =
  "The client secret is not kept in backups. Enter it again (Replace secret) or use Set it up for me. Automatic runs stay off until then.";

const prompt: DeviceCodePrompt = {
  user_code: "F7KQ2PXM",
  verification_uri: "http://127.0.0.1:8400/devicelogin",
  expires_at: "2025-03-05T14:45:00Z",
  message: "To sign in, open http://127.0.0.1:8400/devicelogin and enter the code F7KQ2PXM.",
};

const card = () => screen.getByRole("region", { name: "Connection" });
const badge = () => card().querySelector(".section-head .badge");

describe("the connection without its secret", () => {
  it("says so and offers the two ways, with one Replace secret button", async () => {
    mockCore({ entra_overview: () => connected({ secret_needed: true }) });
    render(EntraPage, { onBack: () => {} });
    const warning = await within(await screen.findByRole("region", { name: "Connection" })).findByText(/^The client secret is not kept in backups\./);
    const box = warning.closest(".warning")!;
    expect(box).toHaveAttribute("role", "alert");
    expect(box).toHaveTextContent(NEEDED);
    expect(badge()).toHaveTextContent("Secret needed");
    expect(badge()).toHaveClass("badge-warn");
    expect(within(card()).getAllByRole("button", { name: "Replace secret" })).toHaveLength(1);
    expect(within(box as HTMLElement).getByRole("button", { name: "Set it up for me" })).toBeInTheDocument();
    // The saved connection is still shown.
    expect(within(card()).getByText(connection.tenant)).toBeInTheDocument();
  });

  it("Replace secret opens the form filled in; connecting clears the warning", async () => {
    const calls = mockCore({
      entra_overview: () => connected({ secret_needed: true }),
      entra_check: () => [],
      entra_connect: () => connected(),
    });
    render(EntraPage, { onBack: () => {} });
    const user = userEvent.setup();
    await user.click(await within(await screen.findByRole("region", { name: "Connection" })).findByRole("button", { name: "Replace secret" }));
    expect(screen.getByLabelText("Tenant ID or domain")).toHaveValue(connection.tenant);
    expect(screen.getByLabelText("Application (client) ID")).toHaveValue(connection.client_id);
    await user.type(screen.getByLabelText("Client secret"), "n3w~secret");
    await user.click(screen.getByRole("button", { name: "Connect" }));
    await waitFor(() => expect(badge()).toHaveTextContent(/^Connected$/));
    expect(callsTo(calls, "entra_connect")[0].args.secret).toBe("n3w~secret");
    expect(screen.queryByText(/not kept in backups/)).not.toBeInTheDocument();
    expect(within(card()).getByRole("button", { name: "Replace secret" })).toBeInTheDocument();
  });

  it("Set it up for me signs in and connects again", async () => {
    const calls = mockCore({
      entra_overview: () => connected({ secret_needed: true }),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => connected(),
    });
    render(EntraPage, { onBack: () => {} });
    const user = userEvent.setup();
    await user.click(await within(await screen.findByRole("region", { name: "Connection" })).findByRole("button", { name: "Set it up for me" }));
    const dialog = screen.getByRole("dialog", { name: "Set up Microsoft Entra ID" });
    await user.click(within(dialog).getByRole("button", { name: "Start" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "entra_setup_begin")).toHaveLength(1);
    expect(screen.queryByText(/not kept in backups/)).not.toBeInTheDocument();
    const result = screen.getByRole("region", { name: "Connected" });
    expect(within(result).getByText(/^UniAsset registered its app/)).toBeInTheDocument();
  });

  it("without the rights for Set it up for me, says why above the form for the secret", async () => {
    const message = "The account that signed in may not register apps: it needs the Application Administrator or Global Administrator role.";
    mockCore({
      entra_overview: () => connected({ secret_needed: true }),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => {
        throw { code: "entra_admin_role_needed", message };
      },
      entra_check: () => [],
    });
    render(EntraPage, { onBack: () => {} });
    const user = userEvent.setup();
    await user.click(await within(await screen.findByRole("region", { name: "Connection" })).findByRole("button", { name: "Set it up for me" }));
    await user.click(within(screen.getByRole("dialog", { name: "Set up Microsoft Entra ID" })).getByRole("button", { name: "Start" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(card()).getAllByRole("alert").some((a) => a.textContent === message)).toBe(true);
    expect(screen.getByLabelText("Client secret")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(within(card()).queryByText(message)).not.toBeInTheDocument();
  });

  it("says nothing of backups when the secret is here", async () => {
    mockCore({ entra_overview: () => connected() });
    render(EntraPage, { onBack: () => {} });
    await within(await screen.findByRole("region", { name: "Connection" })).findByText(connection.tenant);
    expect(screen.queryByText(/not kept in backups/)).not.toBeInTheDocument();
    expect(badge()).toHaveTextContent(/^Connected$/);
    expect(badge()).toHaveClass("badge-ok");
  });
});
