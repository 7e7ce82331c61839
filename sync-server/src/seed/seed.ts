// The demo a newcomer gets from `npm start`: one event with checkpoints of every rule
// mode, tickets, and four logins. Created only when the database has no events.
import type { Checkpoint } from '@gatekeeper/shared/domain';
import { checkpointId, eventId, inspectorId, type EventId } from '@gatekeeper/shared/ids';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { Issuer } from '../issuer.ts';
import type { Storage } from '../storage/types.ts';
import { demoTickets } from './demo.ts';

export const DEMO_EVENT = eventId('demo-festival');

export const DEMO_LOGINS = [
  { username: 'inspector', password: 'gate-demo', name: 'Ingrid Inspector', role: 'inspector' },
  { username: 'inspector2', password: 'gate-demo-2', name: 'Ivo Inspector', role: 'inspector' },
  { username: 'supervisor', password: 'super-demo', name: 'Sam Supervisor', role: 'supervisor' },
  { username: 'admin', password: 'admin-demo', name: 'Ada Admin', role: 'admin' },
] as const;

const checkpoint = (id: string, name: string, zone: string, mode: Checkpoint['mode'], allowedTypes: string[] | null = null): Checkpoint =>
  ({ id: checkpointId(id), eventId: DEMO_EVENT, name, zone, mode, allowedTypes, validFrom: null, validUntil: null });

export const DEMO_CHECKPOINTS: Checkpoint[] = [
  checkpoint('main-gate', 'Main gate', 'grounds', 'once_per_event'),
  checkpoint('ice-rink', 'Ice Rink', 'ice-rink', 'once_per_zone'),
  checkpoint('vip-lounge', 'VIP lounge', 'vip', 'entry_exit', ['VIP']),
  checkpoint('bar', 'Bar', 'bar', 'unlimited'),
];

/** Seed the demo when there is no event yet. Returns true when it seeded. */
export async function seedDemo(storage: Storage, issuer: Issuer, opts: { tickets: number; now: number }): Promise<boolean> {
  if ((await storage.listEvents()).length > 0) return false;
  const day = 24 * 3600_000;
  await storage.createEvent({
    id: DEMO_EVENT, name: 'Demo Winter Festival', venue: 'Museumplein, Amsterdam',
    startsAt: opts.now, endsAt: opts.now + 30 * day, timeZone: 'Europe/Amsterdam',
  });
  for (const cp of DEMO_CHECKPOINTS) await storage.upsertCheckpoint(cp);
  await issuer.ensureKey(DEMO_EVENT);
  await storage.setCodeWord(DEMO_EVENT, 'Blue Heron');
  for (const login of DEMO_LOGINS) {
    const id = inspectorId(`i-${login.username}`);
    await storage.createStaff({ id, username: login.username, name: login.name, role: login.role, passwordHash: await hashPassword(login.password), disabled: false });
    await storage.assignStaff(DEMO_EVENT, id);
  }
  const { orders, tickets } = demoTickets(DEMO_EVENT as EventId, opts.tickets);
  await storage.importTickets(DEMO_EVENT, orders, tickets);
  return true;
}

/**
 * The demo logins that still have their published password. Anyone who has read the
 * README can log in as them, so a server holding one serves beyond loopback only in
 * demo mode (server.ts).
 */
export async function publishedLogins(storage: Storage): Promise<Array<(typeof DEMO_LOGINS)[number]>> {
  const out: Array<(typeof DEMO_LOGINS)[number]> = [];
  for (const login of DEMO_LOGINS) {
    const staff = await storage.getStaffByUsername(login.username);
    if (staff && !staff.disabled && (await verifyPassword(login.password, staff.passwordHash))) out.push(login);
  }
  return out;
}
