// Settings → General → Chat alerts: the address goes to the core and never comes back (only
// the kind and host are shown), the core's refusal is shown verbatim, Send test and Turn off.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import ChatAlertsCard from "../src/screens/settings/general/ChatAlertsCard.svelte";
import type { WebhookSettings } from "../src/bindings/WebhookSettings";
import { callsTo, mockCore, type Handlers } from "./fixtures";

const SECRET_URL = "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual?sig=SeCrEt";
const saved: WebhookSettings = { kind: "teams", host: "prod-12.westeurope.logic.azure.com", set_at: "2026-12-07T08:00:00Z", tested_at: null, last: null };

function openCard(initial: WebhookSettings | null, handlers: Handlers = {}) {
  const calls = mockCore({ webhook_settings: () => initial, ...handlers });
  render(ChatAlertsCard);
  return calls;
}

const card = () => screen.getByRole("region", { name: "Chat alerts" });

describe("chat alerts", () => {
  it("saves the address and kind, then shows only the host; a refusal is shown as the core words it", async () => {
    let refuse = true;
    const calls = openCard(null, {
      save_webhook: () => {
        if (refuse) throw { code: "invalid_webhook", message: "\"http://hooks.example.com\" is not a webhook address UniAsset can post to." };
        return saved;
      },
    });
    await userEvent.type(await within(card()).findByLabelText("Webhook address"), "http://hooks.example.com/x");
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByText(/is not a webhook address UniAsset can post to/)).toBeInTheDocument();
    refuse = false;
    const field = within(card()).getByLabelText("Webhook address");
    await userEvent.clear(field);
    await userEvent.type(field, SECRET_URL);
    await userEvent.click(within(card()).getByRole("button", { name: "Save" }));
    expect(await within(card()).findByText("Saved. Send a test to be sure the alerts arrive.")).toBeInTheDocument();
    expect(card()).toHaveTextContent("Alerts go to the webhook at prod-12.westeurope.logic.azure.com — Microsoft Teams.");
    expect(card().innerHTML).not.toContain("SeCrEt");
    expect(within(card()).getByLabelText("New webhook address")).toHaveValue("");
    expect(callsTo(calls, "save_webhook").map((c) => c.args)).toEqual([
      { url: "http://hooks.example.com/x", kind: "teams" },
      { url: SECRET_URL, kind: "teams" },
    ]);
  });

  it("sends a test and turns chat alerts off", async () => {
    const calls = openCard(saved, {
      test_webhook: () => ({ ...saved, tested_at: "2026-12-07T08:05:00Z", last: { at: "2026-12-07T08:05:00Z", subject: "UniAsset: test message", error: null } }),
      webhook_off: () => null,
    });
    await userEvent.click(await within(card()).findByRole("button", { name: "Send test" }));
    expect(await within(card()).findByText("Sent a test message.")).toBeInTheDocument();
    expect(card()).toHaveTextContent("UniAsset: test message");
    await userEvent.click(within(card()).getByRole("button", { name: "Turn off" }));
    await waitFor(() => expect(within(card()).queryByRole("button", { name: "Send test" })).not.toBeInTheDocument());
    expect(callsTo(calls, "webhook_off")).toHaveLength(1);
  });
});
