// Settings → General → Email alerts: who sees it, saving (the password only when typed),
// the test email's success and failure, turning alerts off, and the last send result.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import Main from "../src/screens/Main.svelte";
import EmailAlertsCard from "../src/screens/settings/general/EmailAlertsCard.svelte";
import type { EmailSettings } from "../src/bindings/EmailSettings";
import type { EmailSettingsInput } from "../src/bindings/EmailSettingsInput";
import { formatDateTime } from "../src/lib/time";
import { adminMay, callsTo, makeEmailSettings, makeUser, memberMay, mockCore, noAssets, org, type Handlers } from "./fixtures";

const saved = makeEmailSettings({
  enabled: true,
  host: "smtp.acme.test",
  port: 587,
  tls: "starttls",
  username: "alerts@acme.test",
  sender: "uniasset@acme.test",
  recipients: ["olivia@acme.test", "it@acme.test"],
  password_set: true,
});

function openCard(initial: EmailSettings, handlers: Handlers = {}) {
  const calls = mockCore({ email_settings: () => initial, ...handlers });
  render(EmailAlertsCard);
  return calls;
}

const card = () => screen.getByRole("region", { name: "Email alerts" });
const alerts = () =>
  within(card())
    .getAllByRole("alert")
    .map((a) => a.textContent)
    .filter((t) => t);

describe("email alerts", () => {
  it("is shown to Owners and Admins", async () => {
    mockCore({ ...noAssets, autostart_enabled: () => false,
      app_version: () => "0.1.0", email_settings: () => makeEmailSettings() });
    render(Main, { org, user: makeUser(3, { role: "admin" }), may: adminMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(await screen.findByRole("region", { name: "Email alerts" })).toBeInTheDocument();
  });

  it("is not shown to Members, and not asked for", async () => {
    const calls = mockCore({ ...noAssets });
    render(Main, { org, user: makeUser(2, { role: "member" }), may: memberMay, onSignedOut: () => {}, onOrganizationChanged: () => {}, onRestored: () => {} });
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    expect(screen.queryByRole("region", { name: "Email alerts" })).not.toBeInTheDocument();
    expect(callsTo(calls, "email_settings")).toHaveLength(0);
  });

  it("says plainly what is sent", async () => {
    openCard(makeEmailSettings());
    const text = (await screen.findByText(/UniAsset emails the recipients when/)).parentElement?.textContent ?? "";
    expect(text).toContain("deactivated while they still hold assets, with the assets to recover");
    expect(text).toContain("held for review");
    expect(text).toContain("a sync run fails");
    expect(text).toContain("no sync run has succeeded for 48 hours while auto-deprovision is on");
    await waitFor(() => expect(within(card()).getByText("Off")).toBeInTheDocument());
    // Nothing to test or turn off before anything is saved.
    expect(screen.queryByRole("button", { name: "Send test email" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Turn off" })).not.toBeInTheDocument();
  });

  it("saves the settings and a typed password, then forgets the password field", async () => {
    const calls = openCard(makeEmailSettings(), { save_email_settings: () => saved });
    await waitFor(() => expect(within(card()).getByText("Off")).toBeInTheDocument());
    await userEvent.type(screen.getByLabelText("SMTP server"), " smtp.acme.test ");
    await userEvent.selectOptions(screen.getByLabelText("Encryption"), "TLS");
    // The usual port follows the mode.
    expect(screen.getByLabelText("Port")).toHaveValue(465);
    await userEvent.selectOptions(screen.getByLabelText("Encryption"), "STARTTLS");
    expect(screen.getByLabelText("Port")).toHaveValue(587);
    await userEvent.type(screen.getByLabelText("User name (optional)"), "alerts@acme.test");
    await userEvent.type(screen.getByLabelText("Password"), "s3cret pw");
    await userEvent.type(screen.getByLabelText("Sender"), "uniasset@acme.test");
    await userEvent.type(screen.getByLabelText("Recipients"), "olivia@acme.test, it@acme.test,");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() =>
      expect(within(card()).getByRole("status")).toHaveTextContent("Saved. Send a test email to be sure the alerts arrive."),
    );
    const input: EmailSettingsInput = {
      host: "smtp.acme.test",
      port: 587,
      tls: "starttls",
      username: "alerts@acme.test",
      sender: "uniasset@acme.test",
      recipients: "olivia@acme.test, it@acme.test,",
    };
    expect(callsTo(calls, "save_email_settings").map((c) => c.args)).toEqual([{ input, password: "s3cret pw" }]);
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.getByText("Saved in the system keychain. Leave it blank to keep it.")).toBeInTheDocument();
    expect(within(card()).getByText("Saved, not tested")).toBeInTheDocument();
  });

  it("keeps the saved password when the field is left blank", async () => {
    const calls = openCard(saved, { save_email_settings: () => ({ ...saved, port: 2525 }) });
    await waitFor(() => expect(screen.getByLabelText("SMTP server")).toHaveValue("smtp.acme.test"));
    expect(screen.getByLabelText("Recipients")).toHaveValue("olivia@acme.test, it@acme.test");
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(
      "Saved in the system keychain. Leave it blank to keep it.",
    );
    await userEvent.clear(screen.getByLabelText("Port"));
    await userEvent.type(screen.getByLabelText("Port"), "2525");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(callsTo(calls, "save_email_settings")).toHaveLength(1));
    expect(callsTo(calls, "save_email_settings")[0].args).toEqual({
      input: {
        host: "smtp.acme.test",
        port: 2525,
        tls: "starttls",
        username: "alerts@acme.test",
        sender: "uniasset@acme.test",
        recipients: "olivia@acme.test, it@acme.test",
      },
      password: null,
    });
  });

  it("shows the core's refusal of the settings verbatim", async () => {
    const message = "“it@” is not an email address. Separate recipients with commas.";
    openCard(makeEmailSettings(), {
      save_email_settings: () => {
        throw { code: "invalid_email_settings", message };
      },
    });
    await waitFor(() => expect(within(card()).getByText("Off")).toBeInTheDocument());
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(alerts()).toEqual([message]));
  });

  it("sends a test email and says to whom, then shows the last send", async () => {
    let current = saved;
    const calls = openCard(saved, {
      email_settings: () => current,
      send_test_email: () => {
        current = {
          ...saved,
          last_send: { at: "2025-03-05T09:30:00Z", subject: "UniAsset: test email", error: null },
          tested_at: "2025-03-05T09:30:00Z",
        };
        return null;
      },
    });
    expect(await within(card()).findByText("Saved, not tested")).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Send test email" }));
    await waitFor(() =>
      expect(within(card()).getByRole("status")).toHaveTextContent("Test email sent to olivia@acme.test, it@acme.test."),
    );
    expect(callsTo(calls, "send_test_email")).toHaveLength(1);
    expect(await within(card()).findByText("On")).toBeInTheDocument();
    const last = await screen.findByText("Last sent");
    expect(last.nextElementSibling).toHaveTextContent(formatDateTime("2025-03-05T09:30:00Z"));
    expect(alerts()).toEqual([]);
  });

  it("says once why a test email failed", async () => {
    const message = "The SMTP server smtp.acme.test refused the user name or password (535 5.7.8).";
    let current = saved;
    openCard(saved, {
      email_settings: () => current,
      send_test_email: () => {
        current = { ...saved, last_send: { at: "2025-03-05T09:30:00Z", subject: "UniAsset: test email", error: message } };
        throw { code: "smtp", message };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Send test email" }));
    await waitFor(() => expect(alerts()).toEqual([message]));
    await screen.findByText("Last attempt");
    // Not again under the last attempt.
    expect(screen.queryByText("Error")).not.toBeInTheDocument();
    expect(within(card()).getAllByText(message)).toHaveLength(1);
    expect(within(card()).getByRole("status")).toHaveTextContent(/^$/);
  });

  it("turns alerts off after confirming", async () => {
    const calls = openCard(saved, { clear_email_settings: () => makeEmailSettings() });
    await userEvent.click(await screen.findByRole("button", { name: "Turn off" }));
    const dialog = screen.getByRole("alertdialog", { name: "Turn off email alerts?" });
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn off" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "clear_email_settings")).toHaveLength(1);
    expect(within(card()).getByRole("status")).toHaveTextContent("Email alerts are off.");
    expect(within(card()).getByText("Off")).toBeInTheDocument();
    expect(screen.getByLabelText("SMTP server")).toHaveValue("");
  });
});
