import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../src/App.svelte";
import {
  adminMay,
  callsTo,
  makeAppStatus,
  makeChecklist,
  makeHome,
  makeUser,
  mockCore,
  noAssets,
  org,
  ownerMay,
} from "./fixtures";

const owner = makeUser(1, { display_name: "Olivia Owner", email: "olivia@acme.test", role: "owner" });

describe("start-up routing by app_status", () => {
  it("shows first-run setup when there is no organization", async () => {
    mockCore({ app_status: () => makeAppStatus({ organization: null, signed_in: null }) });
    render(App);
    expect(await screen.findByRole("heading", { name: "Set up your organization" })).toBeInTheDocument();
  });

  it("shows sign-in when nobody is signed in", async () => {
    mockCore({ app_status: () => makeAppStatus({ organization: org, signed_in: null }) });
    render(App);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText("Acme Ltd")).toBeInTheDocument();
  });

  it("tells visitors of a demo organization how to sign in", async () => {
    const hint = "This is a demo organization with fictional data. Sign in as a@b.example with the password “x”.";
    mockCore({ app_status: () => makeAppStatus({ organization: { ...org, demo: true }, signed_in: null, demo_sign_in: hint }) });
    render(App);
    expect(await screen.findByText(hint)).toHaveAttribute("role", "status");
  });

  it("says why when the tray opened the window to sign in", async () => {
    const why = "Sync Now from the tray did not run: Your session has ended. Sign in again.";
    let pending: string | null = why;
    const calls = mockCore({
      app_status: () => makeAppStatus({ organization: org, signed_in: null }),
      take_sign_in_notice: () => {
        const taken = pending;
        pending = null;
        return taken;
      },
    });
    render(App);
    expect(await screen.findByText(why)).toHaveAttribute("role", "status");
    expect(callsTo(calls, "take_sign_in_notice")).toHaveLength(1);
  });

  it("shows the main layout for a signed-in user", async () => {
    mockCore({ app_status: () => makeAppStatus({ organization: org, signed_in: owner, may: adminMay }), ...noAssets });
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("button", { name: "Home" })).toHaveAttribute("aria-current", "page");
    for (const other of ["People", "Assets", "Settings"])
      expect(within(nav).getByRole("button", { name: other })).not.toHaveAttribute("aria-current");
    expect(await screen.findByRole("heading", { name: "Home" })).toBeInTheDocument();
    expect(screen.getByText("Olivia Owner")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeInTheDocument();
  });

  it("shows the core's message when app_status fails, and can retry", async () => {
    let attempts = 0;
    mockCore({
      app_status: () => {
        attempts += 1;
        if (attempts === 1) throw { code: "storage", message: "The data directory cannot be opened." };
        return makeAppStatus({ organization: null });
      },
    });
    render(App);
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("The data directory cannot be opened."),
    );
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { name: "Set up your organization" })).toBeInTheDocument();
  });
});

describe("first-run setup", () => {
  async function fillSetup(password: string, confirm: string) {
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Set up your organization" });
    await user.type(screen.getByLabelText("Organization name"), "Acme Ltd");
    await user.selectOptions(screen.getByLabelText("Plan"), "Enterprise");
    await user.type(screen.getByLabelText("Owner's name"), "Olivia Owner");
    await user.type(screen.getByLabelText("Owner's email"), "olivia@acme.test");
    await user.type(screen.getByLabelText("Password"), password);
    await user.type(screen.getByLabelText("Confirm password"), confirm);
    await user.click(screen.getByRole("button", { name: "Create organization" }));
  }

  it("refuses passwords that differ without asking the core", async () => {
    const calls = mockCore({ app_status: () => makeAppStatus({ organization: null, signed_in: null }) });
    render(App);
    await fillSetup("correct horse", "correct hose");
    expect(screen.getByRole("alert")).toHaveTextContent("The passwords do not match.");
    expect(callsTo(calls, "setup_organization")).toHaveLength(0);
  });

  it("on success signs the Owner in and opens Home with the getting-started list", async () => {
    const olivia = makeUser(1, { display_name: "Olivia Owner", email: "olivia@acme.test", role: "owner" });
    const created = { ...org, name: "Acme Ltd", plan: "enterprise" as const };
    const calls = mockCore({
      app_status: () => makeAppStatus({ organization: null, signed_in: null }),
      setup_organization: () => makeAppStatus({ organization: created, signed_in: olivia, may: ownerMay }),
      ...noAssets,
      home: () => makeHome({ organization: "Acme Ltd", checklist: makeChecklist() }),
    });
    render(App);
    await fillSetup("correct horse", "correct horse");

    expect(await screen.findByRole("heading", { name: "Getting started" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Sign in" })).not.toBeInTheDocument();
    expect(screen.getByText("Olivia Owner")).toBeInTheDocument();
    expect(callsTo(calls, "sign_in")).toHaveLength(0);
    expect(callsTo(calls, "setup_organization")[0].args).toEqual({
      input: {
        name: "Acme Ltd",
        plan: "enterprise",
        owner_email: "olivia@acme.test",
        owner_name: "Olivia Owner",
        owner_password: "correct horse",
      },
    });
  });

  it("offers Enterprise first and says what each plan includes", async () => {
    mockCore({ app_status: () => makeAppStatus({ organization: null, signed_in: null }) });
    render(App);
    const plan = await screen.findByLabelText("Plan");
    expect(plan).toHaveValue("enterprise");
    expect(plan).toHaveAccessibleDescription(/auto-deprovisioning/);
    await userEvent.selectOptions(plan, "Free");
    expect(plan).toHaveAccessibleDescription("People and assets, checked by hand. Auto-deprovisioning needs Enterprise.");
  });

  it("shows the core's validation message verbatim", async () => {
    mockCore({
      app_status: () => makeAppStatus({ organization: null, signed_in: null }),
      setup_organization: () => {
        throw { code: "weak_password", message: "Choose a password of at least 12 characters." };
      },
    });
    render(App);
    await fillSetup("short", "short");
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^Choose a password of at least 12 characters\.$/),
    );
    expect(screen.getByRole("heading", { name: "Set up your organization" })).toBeInTheDocument();
  });
});

describe("demo organization", () => {
  it("explains the demo, calls setup_demo and opens the main layout signed in", async () => {
    const demoOwner = makeUser(1, { display_name: "Demo Owner", role: "owner" });
    const demoOrg = { ...org, name: "Northwind Demo", plan: "enterprise" as const, demo: true };
    const calls = mockCore({
      app_status: () => makeAppStatus({ organization: null, signed_in: null }),
      setup_demo: () => makeAppStatus({ organization: demoOrg, signed_in: demoOwner, may: adminMay }),
      ...noAssets,
    });
    render(App);
    const demo = await screen.findByRole("button", { name: "Explore with a demo organization" });
    expect(demo).toHaveAccessibleDescription(
      "Sample users and assets, connected to a simulated Microsoft Entra tenant. Nothing leaves this computer.",
    );

    await userEvent.click(demo);
    expect(await screen.findByRole("navigation", { name: "Main" })).toBeInTheDocument();
    expect(screen.getByText("Northwind Demo")).toBeInTheDocument();
    expect(screen.getByText("Demo")).toBeInTheDocument();
    expect(screen.getByText("Demo Owner")).toBeInTheDocument();
    expect(callsTo(calls, "setup_demo")).toEqual([{ cmd: "setup_demo", args: {} }]);
    expect(callsTo(calls, "setup_organization")).toHaveLength(0);
  });

  it("shows the core's message when the demo cannot be created", async () => {
    mockCore({
      app_status: () => makeAppStatus({ organization: null, signed_in: null }),
      setup_demo: () => {
        throw { code: "demo", message: "The simulated Entra tenant could not start: port in use." };
      },
    });
    render(App);
    await userEvent.click(await screen.findByRole("button", { name: "Explore with a demo organization" }));
    expect(await screen.findByText("The simulated Entra tenant could not start: port in use.")).toHaveAttribute(
      "role",
      "alert",
    );
    expect(screen.getByRole("button", { name: "Explore with a demo organization" })).toBeEnabled();
  });
});

describe("sign-in", () => {
  async function signIn(email: string) {
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Email"), email);
    await user.type(screen.getByLabelText("Password"), "secret password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
  }

  it("shows the core's error in the alert", async () => {
    mockCore({
      app_status: () => makeAppStatus({ organization: org, signed_in: null }),
      sign_in: () => {
        throw { code: "account_deactivated", message: "This account is deactivated. Contact an administrator." };
      },
    });
    render(App);
    await signIn("dana@acme.test");
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent(/^This account is deactivated\. Contact an administrator\.$/),
    );
  });

  it("opens the main layout, and signing out returns to sign-in", async () => {
    let signedIn = false;
    const calls = mockCore({
      // After sign-in the window asks the core again who is signed in and what they may do.
      app_status: () => makeAppStatus(signedIn ? { organization: org, signed_in: owner, may: adminMay } : { organization: org, signed_in: null }),
      sign_in: () => {
        signedIn = true;
        return owner;
      },
      sign_out: () => {
        signedIn = false;
        return null;
      },
      ...noAssets,
    });
    render(App);
    await signIn("olivia@acme.test");
    expect(callsTo(calls, "sign_in")[0].args).toEqual({ email: "olivia@acme.test", password: "secret password" });

    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(callsTo(calls, "sign_out")).toHaveLength(1);
  });
});

describe("an ended session", () => {
  it("is noticed when the window is focused again: sign-in asks for the password", async () => {
    let signedIn = true;
    const calls = mockCore({
      app_status: () => makeAppStatus({ organization: org, signed_in: signedIn ? owner : null, may: signedIn ? adminMay : null }),
      ...noAssets,
    });
    render(App);
    await screen.findByRole("navigation", { name: "Main" });

    // Still valid: nothing changes.
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(callsTo(calls, "app_status")).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();

    // Idle too long while the window was hidden.
    signedIn = false;
    document.dispatchEvent(new Event("visibilitychange"));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Your session has ended. Sign in again.");
    expect(screen.getByLabelText("Email")).toHaveValue("olivia@acme.test");
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();
  });

  it("sends any screen back to sign-in when a command is refused for it", async () => {
    mockCore({
      app_status: () => makeAppStatus({ organization: org, signed_in: owner, may: adminMay }),
      leaver_count: () => 0,
      home: () => {
        throw { code: "session_ended", message: "Your session has ended. Sign in again." };
      },
    });
    render(App);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Your session has ended. Sign in again.");
  });

  it("does not ask while signed out or while the window is hidden", async () => {
    const calls = mockCore({ app_status: () => makeAppStatus({ organization: org, signed_in: null }) });
    render(App);
    await screen.findByRole("heading", { name: "Sign in" });
    window.dispatchEvent(new Event("focus"));
    document.dispatchEvent(new Event("visibilitychange"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callsTo(calls, "app_status")).toHaveLength(1);
  });
});
