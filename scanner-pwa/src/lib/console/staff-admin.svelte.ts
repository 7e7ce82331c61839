// The console's Staff (admins only): everyone's account, role and events, and the changes
// an admin makes to them: create, role, events, disable or enable, a new password. The
// server audits each one and ends the sessions of anyone who loses access.
import type { CreateStaffBody, StaffInfo } from '@gatekeeper/shared/api/settings';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { Role } from '@gatekeeper/shared/protocol/index';
import type { Api } from '../ports.ts';

export type StaffApi = Pick<Api, 'staff' | 'createStaff' | 'setStaffRole' | 'setStaffEvents' | 'setStaffDisabled' | 'resetStaffPassword'>;

export class StaffAdmin {
  #staff = $state.raw<StaffInfo[]>([]);
  #status = $state<'loading' | 'ready' | 'error'>('loading');
  #busy = $state<InspectorId | 'new' | null>(null);
  #error = $state.raw<unknown>(null);
  /** What the last change did, for the screen to confirm (a password reset shows nothing else). */
  #done = $state.raw<{ id: InspectorId; what: 'created' | 'role' | 'events' | 'disabled' | 'enabled' | 'password' } | null>(null);
  readonly #api: StaffApi;

  constructor(api: StaffApi) { this.#api = api; }

  get staff() { return this.#staff; }
  get status() { return this.#status; }
  get busy() { return this.#busy; }
  get error() { return this.#error; }
  get done() { return this.#done; }

  async load(): Promise<void> {
    try {
      this.#staff = await this.#api.staff();
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      this.#error = e;
      if (this.#staff.length === 0) this.#status = 'error';
    }
  }

  create(body: CreateStaffBody): Promise<boolean> {
    return this.#change('new', 'created', async () => {
      const made = await this.#api.createStaff(body);
      this.#staff = [...this.#staff, made].sort((a, b) => a.username.localeCompare(b.username));
      return made.id;
    });
  }

  setRole(id: InspectorId, role: Role): Promise<boolean> {
    return this.#change(id, 'role', async () => this.#replace(await this.#api.setStaffRole(id, role)));
  }

  setEvents(id: InspectorId, events: EventId[]): Promise<boolean> {
    return this.#change(id, 'events', async () => this.#replace(await this.#api.setStaffEvents(id, events)));
  }

  setDisabled(id: InspectorId, disabled: boolean): Promise<boolean> {
    return this.#change(id, disabled ? 'disabled' : 'enabled', async () => this.#replace(await this.#api.setStaffDisabled(id, disabled)));
  }

  resetPassword(id: InspectorId, password: string): Promise<boolean> {
    return this.#change(id, 'password', async () => { await this.#api.resetStaffPassword(id, password); return id; });
  }

  #replace(s: StaffInfo): InspectorId {
    this.#staff = this.#staff.map((x) => (x.id === s.id ? s : x));
    return s.id;
  }

  async #change(who: InspectorId | 'new', what: NonNullable<StaffAdmin['done']>['what'], run: () => Promise<InspectorId>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = who;
    this.#done = null;
    try {
      this.#done = { id: await run(), what };
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = e;
      return false;
    } finally {
      this.#busy = null;
    }
  }
}
