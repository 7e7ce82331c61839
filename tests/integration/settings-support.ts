// What the settings tests share: a server, sessions for the demo's staff, and a supervisor
// of another event (who must be refused this event's settings).
import { eventId } from '@gatekeeper/shared/ids';
import { HttpSession } from '../support/scanner-client.ts';
import { login, startTestServer, type TestServer } from '../support/server.ts';

export const OTHER_EVENT = eventId('other-festival');

export interface SettingsWorld {
  server: TestServer;
  admin: HttpSession;
  supervisor: HttpSession;
  inspector: HttpSession;
  /** Supervisor of OTHER_EVENT only. */
  stranger: HttpSession;
}

export async function settingsWorld(): Promise<SettingsWorld> {
  const server = await startTestServer({ demoTickets: 20 });
  const as = (name: string) => HttpSession.login(server.url, name, login(name).password);
  const [admin, supervisor, inspector] = [await as('admin'), await as('supervisor'), await as('inspector')];
  const created = await admin.request('POST', '/api/events', {
    event: { id: OTHER_EVENT, name: 'Other festival', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' },
  });
  if (created.status !== 201) throw new Error(`could not create the other event: ${JSON.stringify(created.json)}`);
  const password = 'lantern-harbour-4711';
  const staffed = await admin.request('POST', `/api/events/${OTHER_EVENT}/staff`, { username: 'olga', name: 'Olga Other', password, role: 'supervisor' });
  if (staffed.status !== 201) throw new Error(`could not add the other supervisor: ${JSON.stringify(staffed.json)}`);
  const stranger = await HttpSession.login(server.url, 'olga', password);
  return { server, admin, supervisor, inspector, stranger };
}
