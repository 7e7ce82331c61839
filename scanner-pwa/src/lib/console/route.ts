// Where the supervisors' console lives in the app's address: /console/<section>, with the
// History filters as its query string, so a reload or a link sent to a colleague opens the
// same view. The server answers every such page with the app (routes/pwa.ts), and so does
// the service worker offline (navigateFallback).

/**
 * The console's sections, in the order its navigation lists them: only those built. The
 * first is where the console opens: what is happening at the gates now.
 */
export const CONSOLE_SECTIONS = ['live', 'conflicts', 'history', 'fleet', 'checkpoints', 'import', 'codeword', 'tickets', 'staff', 'mail'] as const;
export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number];

export interface ConsoleRoute { section: ConsoleSection; search: string }

const PATH = /^\/console(?:\/([a-z-]+))?\/?$/;

/** The console view a URL names, or null when it is not the console's. */
export function consoleRoute(url: URL): ConsoleRoute | null {
  const m = PATH.exec(url.pathname);
  if (!m) return null;
  const section = (CONSOLE_SECTIONS as readonly string[]).includes(m[1] ?? '') ? (m[1] as ConsoleSection) : CONSOLE_SECTIONS[0];
  return { section, search: url.search.replace(/^\?/, '') };
}

/** Sections only an admin sees (the server refuses their routes to anyone else). */
export const ADMIN_SECTIONS: readonly ConsoleSection[] = ['staff', 'mail'];

export const consolePath = (r: ConsoleRoute): string => `/console/${r.section}${r.search ? `?${r.search}` : ''}`;
