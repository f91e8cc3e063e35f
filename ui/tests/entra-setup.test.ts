// Connecting Entra without copying secrets (issue 13): the two ways to connect, the device
// code dialog of "Set it up for me" and "Renew secret", the guided steps and the form's live
// checks. The core is mocked through the real api module, as everywhere.
import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import EntraPage from "../src/screens/settings/entra/EntraPage.svelte";
import type { DeviceCodePrompt } from "../src/bindings/DeviceCodePrompt";
import type { EntraOverview } from "../src/bindings/EntraOverview";
import type { EntraSettings } from "../src/bindings/EntraSettings";
import type { FieldProblem } from "../src/bindings/FieldProblem";
import { formatTime } from "../src/lib/time";
import { callsTo, connection, makeOverview, mockCore } from "./fixtures";

const connected = (settings: Partial<EntraSettings> = {}, overrides: Partial<EntraOverview> = {}) =>
  makeOverview(overrides, { connection, ...settings });

const prompt: DeviceCodePrompt = {
  user_code: "F7KQ2PXM",
  verification_uri: "http://127.0.0.1:8400/devicelogin",
  expires_at: "2025-03-05T14:45:00Z",
  message:
    "To sign in, use a web browser to open the page http://127.0.0.1:8400/devicelogin and enter the code F7KQ2PXM to authenticate.",
};

const RENEWAL =
  "The client secret expires on 2027-12-01, in 20 days. Renew it now: UniAsset adds a new secret, tests it, switches to it and removes the old one.";

/** A promise the test settles when it wants: the core still waiting for the administrator. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function renderPage() {
  return render(EntraPage, { onBack: () => {} });
}

const card = () => screen.getByRole("region", { name: "Connection" });
const steps = () => card().querySelector("details.steps");
const dialog = (name: string) => screen.getByRole("dialog", { name });

describe("not connected", () => {
  it("offers Set it up for me (recommended), with the form below for details entered by hand", async () => {
    const calls = mockCore({ entra_overview: () => makeOverview() });
    renderPage();
    const auto = await screen.findByRole("button", { name: "Set it up for me" });
    expect(auto).toHaveClass("btn-primary");
    expect(auto).toHaveAccessibleDescription(/^Sign in once as a Global Administrator\./);
    expect(within(card()).getByText("Recommended")).toBeInTheDocument();
    const manual = screen.getByRole("button", { name: "Enter the details yourself" });
    expect(manual).not.toHaveClass("btn-primary");
    expect(screen.getByLabelText("Client secret")).toHaveAttribute("id", "entra-secret");
    expect(steps()).not.toHaveAttribute("open");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(calls.map((c) => c.cmd)).toEqual(["entra_overview"]);
  });

  it("Enter the details yourself opens the guided steps above the form", async () => {
    mockCore({ entra_overview: () => makeOverview() });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Enter the details yourself" }));
    expect(steps()).toHaveAttribute("open");
    expect(screen.getByRole("region", { name: "Register UniAsset in the Microsoft Entra admin center" })).toBeInTheDocument();
    expect(screen.getByLabelText("Tenant ID or domain")).toHaveAttribute("id", "entra-tenant");
    expect(screen.getByLabelText("Application (client) ID")).toHaveAttribute("id", "entra-client-id");
    expect(screen.getByLabelText("Client secret")).toHaveAttribute("id", "entra-secret");
    // Nothing went wrong: no fallback message above the steps.
    expect(within(card()).getAllByRole("alert").every((a) => a.textContent === "")).toBe(true);
  });
});

describe("Set it up for me", () => {
  it("asks nothing of the core before Start; Cancel then just closes", async () => {
    const calls = mockCore({ entra_overview: () => makeOverview() });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    expect(box).toHaveTextContent(
      "a Global Administrator (or an Application Administrator who is also a Privileged Role Administrator)",
    );
    expect(box).toHaveTextContent("a client secret valid for 12 months");
    expect(within(box).getByRole("button", { name: "Start" })).toHaveFocus();
    await userEvent.click(within(box).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(calls.map((c) => c.cmd)).toEqual(["entra_overview"]);
  });

  it("Start shows the code large with its page and expiry; the approved sign-in connects", async () => {
    const finish = later<EntraOverview>();
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => finish.promise,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    const cloud = within(box).getByLabelText("Cloud");
    expect(cloud).toHaveValue("global");
    await user.click(within(box).getByRole("button", { name: "Start" }));

    const code = await within(box).findByText(prompt.user_code);
    expect(code).toHaveAttribute("id", "device-code");
    expect(within(box).getByText(prompt.verification_uri)).toBeInTheDocument();
    expect(within(box).getByText(/Waiting for you to sign in…/)).toHaveTextContent(
      `Waiting for you to sign in… the code expires at ${formatTime(prompt.expires_at)}.`,
    );
    expect(within(box).queryByRole("button", { name: "Start" })).not.toBeInTheDocument();
    expect(within(box).getByRole("button", { name: "Copy code" })).toHaveFocus();
    expect(within(box).getByRole("button", { name: "Cancel" })).toBeEnabled();
    expect(callsTo(calls, "entra_setup_begin")[0].args).toEqual({
      target: { cloud: "global", login_url: null, graph_url: null },
    });
    expect(callsTo(calls, "entra_setup_finish")).toHaveLength(1);

    finish.resolve(connected());
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(card()).getByText(connection.tenant)).toBeInTheDocument();
    const result = screen.getByRole("region", { name: "Connected" });
    expect(within(result).getByRole("status")).toHaveTextContent(
      "UniAsset registered its app in your organization and tested the connection.",
    );
    expect(callsTo(calls, "entra_sign_in_cancel")).toHaveLength(0);
  });

  it("sends a custom cloud's URLs", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => new Promise(() => {}),
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    expect(within(box).queryByLabelText("Sign-in URL")).not.toBeInTheDocument();
    await user.selectOptions(within(box).getByLabelText("Cloud"), "Custom");
    await user.type(within(box).getByLabelText("Sign-in URL"), " http://127.0.0.1:8400 ");
    await user.type(within(box).getByLabelText("Microsoft Graph URL"), "http://127.0.0.1:8400");
    expect(within(box).getByLabelText("Sign-in URL")).toHaveAttribute("id", "entra-setup-login-url");
    expect(within(box).getByLabelText("Microsoft Graph URL")).toHaveAttribute("id", "entra-setup-graph-url");
    await user.click(within(box).getByRole("button", { name: "Start" }));
    await within(box).findByText(prompt.user_code);
    expect(callsTo(calls, "entra_setup_begin")[0].args).toEqual({
      target: { cloud: "custom", login_url: "http://127.0.0.1:8400", graph_url: "http://127.0.0.1:8400" },
    });
  });

  it("copies the code and the link, opens the sign-in page again, and says when copying fails", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => new Promise(() => {}),
      open_verification_page: () => null,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    await user.click(within(box).getByRole("button", { name: "Start" }));

    await user.click(await within(box).findByRole("button", { name: "Copy code" }));
    expect(await navigator.clipboard.readText()).toBe(prompt.user_code);
    expect(within(box).getByText("Copied")).toBeInTheDocument();

    await user.click(within(box).getByRole("button", { name: "Copy link" }));
    expect(await navigator.clipboard.readText()).toBe(prompt.verification_uri);

    await user.click(within(box).getByRole("button", { name: "Open the sign-in page again" }));
    expect(callsTo(calls, "open_verification_page")).toEqual([
      { cmd: "open_verification_page", args: {} },
    ]);

    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValueOnce(new DOMException("denied", "NotAllowedError"));
    await user.click(within(box).getByRole("button", { name: "Copy code" }));
    expect(await within(box).findByText("Could not copy: select it and press Ctrl+C.")).toBeInTheDocument();
    // The code stays on screen to copy by hand.
    expect(within(box).getByText(prompt.user_code)).toBeInTheDocument();
  });

  it("Cancel while waiting stops the sign-in; the core's cancelled answer then shows nothing", async () => {
    const finish = later<EntraOverview>();
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => finish.promise,
      entra_sign_in_cancel: () => {
        finish.reject({ code: "entra_sign_in_cancelled", message: "The sign-in was cancelled." });
        return true;
      },
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    await user.click(within(box).getByRole("button", { name: "Start" }));
    await within(box).findByText(prompt.user_code);
    await user.click(within(box).getByRole("button", { name: "Cancel" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "entra_sign_in_cancel")).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Set it up for me" })).toBeInTheDocument();
    expect(screen.queryByText("The sign-in was cancelled.")).not.toBeInTheDocument();
  });

  it("Escape while waiting cancels the same way", async () => {
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => new Promise(() => {}),
      entra_sign_in_cancel: () => true,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    await user.click(within(dialog("Set up Microsoft Entra ID")).getByRole("button", { name: "Start" }));
    await screen.findByText(prompt.user_code);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "entra_sign_in_cancel")).toHaveLength(1);
  });

  it("Cancel after the administrator has signed in is too late: the dialog stays and shows the outcome", async () => {
    const finish = later<EntraOverview>();
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => finish.promise,
      entra_sign_in_cancel: () => false,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    await user.click(within(box).getByRole("button", { name: "Start" }));
    await within(box).findByText(prompt.user_code);
    await user.click(within(box).getByRole("button", { name: "Cancel" }));
    expect(await within(box).findByText(/^Too late to cancel/)).toBeInTheDocument();
    expect(callsTo(calls, "entra_sign_in_cancel")).toHaveLength(1);

    finish.resolve(connected());
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(screen.getByRole("region", { name: "Connected" })).getByRole("status")).toHaveTextContent(
      /^UniAsset registered its app/,
    );
  });

  it("Cancel before the code comes ends the sign-in that then begins, and never waits for it", async () => {
    const begin = later<DeviceCodePrompt>();
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => begin.promise,
      entra_setup_finish: () => new Promise(() => {}),
      entra_sign_in_cancel: () => true,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");
    await user.click(within(box).getByRole("button", { name: "Start" }));
    expect(within(box).getByRole("button", { name: "Starting…" })).toBeDisabled();
    await user.click(within(box).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    begin.resolve(prompt);
    await waitFor(() => expect(callsTo(calls, "entra_sign_in_cancel")).toHaveLength(2));
    expect(callsTo(calls, "entra_setup_finish")).toHaveLength(0);
    expect(screen.queryByText(prompt.user_code)).not.toBeInTheDocument();
  });

  it("shows the core's errors verbatim and lets the administrator start again", async () => {
    let beginFails = true;
    const finishes = [later<EntraOverview>(), later<EntraOverview>()];
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => {
        if (beginFails) {
          beginFails = false;
          throw { code: "entra_unreachable", message: "Microsoft's sign-in service could not be reached: timed out." };
        }
        return prompt;
      },
      entra_setup_finish: () => finishes[callsTo(calls, "entra_setup_finish").length - 1].promise,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    const box = dialog("Set up Microsoft Entra ID");

    await user.click(within(box).getByRole("button", { name: "Start" }));
    await waitFor(() =>
      expect(within(box).getByRole("alert")).toHaveTextContent(
        /^Microsoft's sign-in service could not be reached: timed out\.$/,
      ),
    );
    await user.click(within(box).getByRole("button", { name: "Start" }));
    await within(box).findByText(prompt.user_code);
    expect(within(box).getByRole("alert")).toHaveTextContent(/^$/);

    const expired = "The sign-in code expired before anyone signed in. Select Start to get a new code.";
    finishes[0].reject({ code: "entra_sign_in_expired", message: expired });
    await waitFor(() => expect(within(box).getByRole("alert")).toHaveTextContent(expired));
    expect(within(box).queryByText(prompt.user_code)).not.toBeInTheDocument();

    await user.click(within(box).getByRole("button", { name: "Start" }));
    await within(box).findByText(prompt.user_code);
    finishes[1].resolve(connected());
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(callsTo(calls, "entra_setup_begin")).toHaveLength(3);
    expect(within(card()).getByText(connection.tenant)).toBeInTheDocument();
  });

  it("without the rights, says so plainly and falls back to the guided steps", async () => {
    const message =
      "The account that signed in (bob@northwind.example) may not register apps: it needs the Application Administrator or Global Administrator role. Ask an administrator to sign in, or follow the steps below.";
    mockCore({
      entra_overview: () => makeOverview(),
      entra_setup_begin: () => prompt,
      entra_setup_finish: () => {
        throw { code: "entra_admin_role_needed", message };
      },
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set it up for me" }));
    await user.click(within(dialog("Set up Microsoft Entra ID")).getByRole("button", { name: "Start" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const alerts = within(card()).getAllByRole("alert").filter((a) => a.textContent !== "");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent(message);
    expect(screen.getByRole("region", { name: "Register UniAsset in the Microsoft Entra admin center" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Open the Entra admin center" })).toBeInTheDocument();
    expect(screen.getByLabelText("Client secret")).toBeInTheDocument();
    expect(steps()).toHaveAttribute("open");
  });
});

describe("guided steps", () => {
  it("numbers every click and copy, in order", async () => {
    mockCore({ entra_overview: () => makeOverview() });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Enter the details yourself" }));
    const steps = screen.getByRole("region", { name: "Register UniAsset in the Microsoft Entra admin center" });
    const list = within(steps).getByRole("list");
    expect(list.tagName).toBe("OL");
    const text = within(list)
      .getAllByRole("listitem")
      .map((li) => li.textContent?.replace(/\s+/g, " ").trim() ?? "");
    expect(text).toHaveLength(8);
    const order = [
      "App registrations",
      "New registration",
      "Accounts in this organizational directory only",
      "Application (client) ID",
      "Directory (tenant) ID",
      "API permissions → Add a permission → Microsoft Graph → Application permissions",
      "User.Read.All",
      "Grant admin consent for",
      "Certificates & secrets → Client secrets → New client secret",
      "Value (not its Secret ID)",
      "Test connection, then Connect",
    ];
    const all = text.join(" | ");
    let at = -1;
    for (const words of order) {
      const next = all.indexOf(words, at + 1);
      expect(next, `"${words}" after position ${at}`).toBeGreaterThan(at);
      at = next;
    }
  });

  it("opens the admin center through the shell, and says why not when it cannot", async () => {
    let refuse = false;
    const calls = mockCore({
      entra_overview: () => makeOverview(),
      open_entra_admin_center: () => {
        if (refuse) throw { code: "open_failed", message: "The browser could not be opened: no default browser." };
        return null;
      },
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Enter the details yourself" }));
    const steps = screen.getByRole("region", { name: "Register UniAsset in the Microsoft Entra admin center" });
    await user.click(within(steps).getByRole("button", { name: "Open the Entra admin center" }));
    expect(callsTo(calls, "open_entra_admin_center")).toEqual([{ cmd: "open_entra_admin_center", args: { cloud: "global" } }]);
    expect(within(steps).getByRole("alert")).toHaveTextContent(/^$/);

    refuse = true;
    await user.click(within(steps).getByRole("button", { name: "Open the Entra admin center" }));
    await waitFor(() =>
      expect(within(steps).getByRole("alert")).toHaveTextContent(/^The browser could not be opened: no default browser\.$/),
    );
  });
});

describe("live checks of the form", () => {
  const secretId = "3f0c9a52-8d1e-4b7a-9c2f-6e5d4c3b2a19";
  const secretProblem =
    "This looks like the secret's ID. Copy the secret's Value instead: the column next to it, shown only when the secret is created.";

  async function openForm(check: (args: Record<string, unknown>) => FieldProblem[] | Promise<FieldProblem[]>) {
    const calls = mockCore({ entra_overview: () => makeOverview(), entra_check: check });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Enter the details yourself" }));
    return calls;
  }

  it("checks what is pasted after a short pause and shows each problem next to its field", async () => {
    const calls = await openForm((args) => {
      const problems: FieldProblem[] = [
        // The core says the tenant is missing too; nobody has touched that field yet.
        { field: "tenant", message: "Enter the tenant ID or domain." },
      ];
      if (args.secret === secretId) problems.push({ field: "secret", message: secretProblem });
      return problems;
    });
    const user = userEvent.setup();
    const secret = screen.getByLabelText("Client secret");
    await user.click(secret);
    await user.paste(secretId);
    expect(callsTo(calls, "entra_check")).toHaveLength(0);

    await waitFor(() => expect(secret).toHaveAccessibleDescription(new RegExp(`^${escape(secretProblem)}`)));
    expect(secret).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(secretProblem)).toHaveAttribute("id", "entra-secret-problem");
    expect(callsTo(calls, "entra_check")).toEqual([
      {
        cmd: "entra_check",
        args: {
          input: { tenant: "", client_id: "", cloud: "global", login_url: null, graph_url: null, secret_expires_on: null },
          secret: secretId,
        },
      },
    ]);
    const tenant = screen.getByLabelText("Tenant ID or domain");
    expect(tenant).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByText("Enter the tenant ID or domain.")).not.toBeInTheDocument();

    // Fixing the field clears its problem.
    await user.clear(secret);
    await user.paste("s3cr3t~value");
    await waitFor(() => expect(screen.queryByText(secretProblem)).not.toBeInTheDocument());
    expect(secret).not.toHaveAttribute("aria-invalid");

    // Once the tenant field has been changed (here emptied again), its problem shows too.
    await user.type(tenant, "x");
    await user.clear(tenant);
    expect(await screen.findByText("Enter the tenant ID or domain.")).toHaveAttribute("id", "entra-tenant-problem");
  });

  it("waits for a pause in typing, never blocks it, and only the newest answer counts", async () => {
    const answers: Array<ReturnType<typeof later<FieldProblem[]>>> = [];
    const calls = await openForm(() => {
      const answer = later<FieldProblem[]>();
      answers.push(answer);
      return answer.promise;
    });
    const user = userEvent.setup();
    const clientId = screen.getByLabelText("Application (client) ID");
    await user.click(clientId);
    await user.paste("0b1c2d3e");
    await user.paste("-4f50");
    expect(clientId).toHaveValue("0b1c2d3e-4f50");
    expect(clientId).toBeEnabled();
    await waitFor(() => expect(callsTo(calls, "entra_check")).toHaveLength(1));
    expect((callsTo(calls, "entra_check")[0].args.input as { client_id: string }).client_id).toBe("0b1c2d3e-4f50");

    await user.paste("-6172-8394-a5b6c7d8e9f0");
    await waitFor(() => expect(callsTo(calls, "entra_check")).toHaveLength(2));
    // The newer answer first (fine), then the older one (a problem): the older is ignored.
    answers[1].resolve([]);
    answers[0].resolve([{ field: "client_id", message: "The application (client) ID is a GUID such as 0b1c2d3e-…" }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText(/is a GUID such as/)).not.toBeInTheDocument();
    expect(clientId).toHaveValue(connection.client_id);
  });

  it("a check that cannot run hides nothing and stops nothing", async () => {
    const calls = await openForm(() => {
      throw { code: "store_busy", message: "The database is busy." };
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Tenant ID or domain"), "contoso.onmicrosoft.com");
    await waitFor(() => expect(callsTo(calls, "entra_check").length).toBeGreaterThan(0));
    expect(screen.queryByText("The database is busy.")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Connect" })).toBeEnabled();
  });
});

describe("renewing the secret", () => {
  it("shows the renewal sentence and Renew secret only when renewal is due", async () => {
    mockCore({ entra_overview: () => connected() });
    const { unmount } = renderPage();
    await screen.findByText(connection.tenant);
    expect(screen.queryByRole("button", { name: "Renew secret" })).not.toBeInTheDocument();
    unmount();

    const warning = "The client secret expires on 2027-12-01, in 20 days. Create a new secret and reconnect before then.";
    mockCore({
      entra_overview: () => connected({ renewal_due: true, secret_renewal: RENEWAL, secret_warning: warning }),
    });
    renderPage();
    const sentence = await within(await screen.findByRole("region", { name: "Connection" })).findByText(RENEWAL);
    expect(sentence.closest(".warning")).not.toBeNull();
    expect(within(card()).getByRole("button", { name: "Renew secret" })).toBeInTheDocument();
    // One notice of the expiry, the card's, not a second one under it.
    expect(screen.queryByText(warning)).not.toBeInTheDocument();
  });

  it("Renew secret signs in with a code and shows the renewed connection", async () => {
    const finish = later<EntraOverview>();
    const calls = mockCore({
      entra_overview: () => connected({ renewal_due: true, secret_renewal: RENEWAL }),
      entra_renew_begin: () => prompt,
      entra_renew_finish: () => finish.promise,
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Renew secret" }));
    const box = dialog("Renew the client secret");
    expect(box).toHaveTextContent(
      "Renewing adds a new client secret to UniAsset's app registration, tests it, switches to it and removes the old one.",
    );
    expect(within(box).queryByLabelText("Cloud")).not.toBeInTheDocument();
    await user.click(within(box).getByRole("button", { name: "Start" }));
    expect(await within(box).findByText(prompt.user_code)).toHaveAttribute("id", "device-code");
    expect(callsTo(calls, "entra_renew_begin")).toEqual([{ cmd: "entra_renew_begin", args: {} }]);
    expect(callsTo(calls, "entra_setup_begin")).toHaveLength(0);

    finish.resolve(connected({ renewal_due: false, secret_renewal: null }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(card()).getByRole("status")).toHaveTextContent(
      "Secret renewed. UniAsset tested the new secret, switched to it and removed the old one.",
    );
    expect(screen.queryByRole("button", { name: "Renew secret" })).not.toBeInTheDocument();
    expect(screen.queryByText(RENEWAL)).not.toBeInTheDocument();
  });

  it("without the rights, keeps the message in the dialog", async () => {
    const message =
      "The account that signed in may not add secrets: it needs the Application Administrator or Global Administrator role.";
    mockCore({
      entra_overview: () => connected({ renewal_due: true, secret_renewal: RENEWAL }),
      entra_renew_begin: () => prompt,
      entra_renew_finish: () => {
        throw { code: "entra_admin_role_needed", message };
      },
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Renew secret" }));
    const box = dialog("Renew the client secret");
    await user.click(within(box).getByRole("button", { name: "Start" }));
    await waitFor(() => expect(within(box).getByRole("alert")).toHaveTextContent(message));
    expect(screen.queryByRole("region", { name: /Register UniAsset/ })).not.toBeInTheDocument();
    expect(within(card()).getByText(connection.tenant)).toBeInTheDocument();
  });

  it("says when Set it up for me made the app registration", async () => {
    mockCore({ entra_overview: () => makeOverview({}, { connection: { ...connection, set_up_by_uniasset: true } }) });
    renderPage();
    expect(await screen.findByText("Made by UniAsset (Set it up for me)")).toBeInTheDocument();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
