// A screen the tray asked for: "entra" (Renew client secret…) opens the Microsoft Entra ID
// page, "backups" (Back up now…) Settings → General. Main takes the request from the shell and
// goes to Settings; Settings picks the tab, and for "entra" Integrations opens the page and
// clears the request, so it is followed once.
export type PageRequest = "entra" | "backups";

export const pageRequest: { pending: PageRequest | null } = $state({ pending: null });
