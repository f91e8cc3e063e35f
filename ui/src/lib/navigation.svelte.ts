// A screen the tray asked for ("Renew client secret…" opens the Microsoft Entra ID page).
// Main takes the request from the shell and goes to Settings; Settings opens Integrations, and
// Integrations opens the Entra page and clears the request, so it is followed once.
export const pageRequest: { pending: "entra" | null } = $state({ pending: null });
