import { describe, expect, it } from "vitest";
import { emit } from "@tauri-apps/api/event";
import { backend, ErrorCodes, onSessionEnded, toErrorReport } from "../src/lib/api";
import { makeRun, mockCore } from "./fixtures";

describe("toErrorReport", () => {
  it("keeps a ErrorReport-shaped rejection as it is", () => {
    expect(toErrorReport({ code: "bad_password", message: "Wrong password.", extra: 1 })).toEqual({
      code: "bad_password",
      message: "Wrong password.",
    });
  });

  it("wraps anything else as unexpected", () => {
    expect(toErrorReport("disk full")).toEqual({ code: "unexpected", message: "disk full" });
    expect(toErrorReport({ message: "no code" })).toEqual({ code: "unexpected", message: "[object Object]" });
    expect(toErrorReport(undefined)).toEqual({ code: "unexpected", message: "undefined" });
    expect(toErrorReport(new Error("boom"))).toEqual({ code: "unexpected", message: "Error: boom" });
  });
});

describe("the test double of the core", () => {
  it("is checked against the commands the shell declares", () => {
    // Each line fails the type check (and so CI) if the double stops being typed.
    // @ts-expect-error a command the shell does not have
    expect(() => mockCore({ list_people: () => [] })).not.toThrow();
    // @ts-expect-error an answer that is not the command's (leaver_count answers a number)
    expect(() => mockCore({ leaver_count: () => "3" })).not.toThrow();
    // @ts-expect-error an argument the command is not sent (deactivate_user gets userId)
    expect(() => mockCore({ deactivate_user: (args) => args.email })).not.toThrow();
  });
});

describe("backend", () => {
  it("sends the exact command names and camelCase argument keys Tauri expects", async () => {
    const calls = mockCore(new Proxy({}, { get: () => () => null }));
    const input = {
      tenant: "t",
      client_id: "c",
      cloud: "global" as const,
      login_url: null,
      graph_url: null,
      secret_expires_on: null,
    };
    const guard = { min_users: 5, percent: 20 };
    const query = { status: "active" as const, search: "ann", role: "admin" as const, sign_in: "microsoft" as const };
    const org = { name: "Acme", plan: "team" as const, owner_email: "o@a.test", owner_name: "O", owner_password: "pw" };
    const assetQuery = { assigned_to: null, search: "lap", status: "in_use" as const };
    const newAsset = { tag: "LT-1", name: "Laptop", category: null, serial: "SN1" };
    const edit = { name: "Laptop", category: "Laptops", serial: null, status: "in_repair" as const };
    const emailInput = {
      host: "smtp.acme.test",
      port: 587,
      tls: "starttls" as const,
      username: null,
      sender: "it@acme.test",
      recipients: "o@acme.test",
    };
    await backend.appStatus();
    await backend.setupOrganization(org);
    await backend.setupDemo();
    await backend.signIn("a@b.test", "pw");
    await backend.signOut();
    await backend.listUsers(query);
    await backend.userDetails(3);
    await backend.deactivateUser(3);
    await backend.reactivateUser(3, true);
    await backend.setUserProtected(3, true);
    await backend.entraOverview();
    await backend.entraTest(input, "secret");
    await backend.entraConnect(input, "secret");
    await backend.entraDisconnect();
    await backend.entraCheck(input, "secret");
    await backend.entraSetupBegin({ cloud: "custom", login_url: "http://127.0.0.1:8400", graph_url: null });
    await backend.entraSetupFinish();
    await backend.entraRenewBegin();
    await backend.entraRenewFinish();
    await backend.entraSignInCancel();
    await backend.openEntraAdminCenter("global");
    await backend.openVerificationPage();
    await backend.entraSave(true, guard);
    await backend.syncNow();
    await backend.runDetails(9);
    await backend.applyHeld(9);
    await backend.dismissHeld(9);
    await backend.matchAccounts();
    await backend.listAssets(assetQuery);
    await backend.addAsset(newAsset, 7);
    await backend.editAsset(4, edit);
    await backend.assignAsset(4, 7, "with charger");
    await backend.checkInAsset(4, null);
    await backend.markAssetLost(4, "stolen");
    await backend.assetDetails(4);
    await backend.addMaintenance(4, "new battery");
    await backend.attachDocument(4, "/tmp/receipt.pdf");
    await backend.openDocument(12);
    await backend.leavers();
    await backend.leaverCount();
    await backend.evidence("2025-01-01", null);
    await backend.exportEvidenceCsv(null, "2025-03-31", "/tmp/e.csv");
    await backend.emailSettings();
    await backend.saveEmailSettings(emailInput, null);
    await backend.sendTestEmail();
    await backend.clearEmailSettings();
    await backend.autostartEnabled();
    await backend.setAutostart(false);
    await backend.setIdleTimeout(30);
    await backend.appVersion();
    await backend.diagnostics();
    await backend.openLogsFolder();
    expect(calls).toEqual([
      { cmd: "app_status", args: {} },
      { cmd: "setup_organization", args: { input: org } },
      { cmd: "setup_demo", args: {} },
      { cmd: "sign_in", args: { email: "a@b.test", password: "pw" } },
      { cmd: "sign_out", args: {} },
      { cmd: "list_users", args: { query } },
      { cmd: "user_details", args: { userId: 3 } },
      { cmd: "deactivate_user", args: { userId: 3 } },
      { cmd: "reactivate_user", args: { userId: 3, confirmed: true } },
      { cmd: "set_user_protected", args: { userId: 3, protected: true } },
      { cmd: "entra_overview", args: {} },
      { cmd: "entra_test", args: { input, secret: "secret" } },
      { cmd: "entra_connect", args: { input, secret: "secret" } },
      { cmd: "entra_disconnect", args: {} },
      { cmd: "entra_check", args: { input, secret: "secret" } },
      {
        cmd: "entra_setup_begin",
        args: { target: { cloud: "custom", login_url: "http://127.0.0.1:8400", graph_url: null } },
      },
      { cmd: "entra_setup_finish", args: {} },
      { cmd: "entra_renew_begin", args: {} },
      { cmd: "entra_renew_finish", args: {} },
      { cmd: "entra_sign_in_cancel", args: {} },
      { cmd: "open_entra_admin_center", args: { cloud: "global" } },
      { cmd: "open_verification_page", args: {} },
      { cmd: "entra_save", args: { autoDeprovision: true, guard } },
      { cmd: "sync_now", args: {} },
      { cmd: "run_details", args: { runId: 9 } },
      { cmd: "apply_held", args: { runId: 9 } },
      { cmd: "dismiss_held", args: { runId: 9 } },
      { cmd: "match_accounts", args: {} },
      { cmd: "list_assets", args: { query: assetQuery } },
      { cmd: "add_asset", args: { asset: newAsset, assignTo: 7 } },
      { cmd: "edit_asset", args: { assetId: 4, edit } },
      { cmd: "assign_asset", args: { assetId: 4, userId: 7, note: "with charger" } },
      { cmd: "check_in_asset", args: { assetId: 4, note: null } },
      { cmd: "mark_asset_lost", args: { assetId: 4, note: "stolen" } },
      { cmd: "asset_details", args: { assetId: 4 } },
      { cmd: "add_maintenance", args: { assetId: 4, note: "new battery" } },
      { cmd: "attach_document", args: { assetId: 4, path: "/tmp/receipt.pdf" } },
      { cmd: "open_document", args: { documentId: 12 } },
      { cmd: "leavers", args: {} },
      { cmd: "leaver_count", args: {} },
      { cmd: "evidence", args: { since: "2025-01-01", until: null } },
      { cmd: "export_evidence_csv", args: { since: null, until: "2025-03-31", path: "/tmp/e.csv" } },
      { cmd: "email_settings", args: {} },
      { cmd: "save_email_settings", args: { input: emailInput, password: null } },
      { cmd: "send_test_email", args: {} },
      { cmd: "clear_email_settings", args: {} },
      { cmd: "autostart_enabled", args: {} },
      { cmd: "set_autostart", args: { enabled: false } },
      { cmd: "set_idle_timeout", args: { minutes: 30 } },
      { cmd: "app_version", args: {} },
      { cmd: "diagnostics", args: {} },
      { cmd: "open_logs_folder", args: {} },
    ]);
  });

  it("hands each sync-finished payload to its listener until it stops listening", async () => {
    mockCore({});
    const heard: (number | null)[] = [];
    const stop = await backend.onSyncFinished((run) => heard.push(run.id));
    await emit("sync-finished", makeRun(4));
    stop();
    await emit("sync-finished", makeRun(5));
    expect(heard).toEqual([4]);
  });

  it("exports the core's error codes the screens branch on", () => {
    expect(ErrorCodes).toEqual({
      sessionEnded: "session_ended",
      wrongPassword: "wrong_password",
      reactivationNeedsConfirmation: "reactivation_needs_confirmation",
      entraAdminRoleNeeded: "entra_admin_role_needed",
      backupPassphraseNeeded: "backup_passphrase_needed",
      entraRefused: "entra_refused",
    });
  });

  it("rejects with the core's ErrorReport unchanged", async () => {
    const error = { code: "account_deactivated", message: "This account is deactivated." };
    mockCore({
      sign_in: () => {
        throw error;
      },
    });
    await expect(backend.signIn("a@b.test", "pw")).rejects.toEqual(error);
  });

  it("normalises a non-ErrorReport rejection", async () => {
    mockCore({
      list_assets: () => Promise.reject("command list_assets not found"),
    });
    await expect(backend.listAssets({ assigned_to: null, search: null, status: null })).rejects.toEqual({
      code: "unexpected",
      message: "command list_assets not found",
    });
  });
});

describe("onSessionEnded", () => {
  it("hears every command refused for an ended session, and nothing else", async () => {
    let heard = 0;
    const stop = onSessionEnded(() => (heard += 1));
    mockCore({
      list_assets: () => {
        throw { code: "session_ended", message: "Your session has ended. Sign in again." };
      },
      entra_overview: () => {
        throw { code: "needs_admin", message: "Only an Owner or Admin can see this." };
      },
    });
    await expect(backend.listAssets({ assigned_to: null, search: null, status: null })).rejects.toEqual({
      code: "session_ended",
      message: "Your session has ended. Sign in again.",
    });
    await expect(backend.entraOverview()).rejects.toMatchObject({ code: "needs_admin" });
    expect(heard).toBe(1);
    stop();
    await expect(backend.listAssets({ assigned_to: null, search: null, status: null })).rejects.toMatchObject({ code: "session_ended" });
    expect(heard).toBe(1);
  });
});
