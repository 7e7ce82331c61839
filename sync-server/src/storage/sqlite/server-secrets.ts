// Random keys the server makes for itself the first time it needs one and then keeps.
import { randomBytes } from 'node:crypto';
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';

export type ServerSecretMethods = Pick<Storage, 'serverSecret'>;

export function serverSecretMethods(db: Db): ServerSecretMethods {
  const q = {
    add: db.prepare<[string, Buffer]>('INSERT INTO server_secrets (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    get: db.prepare<[string], Buffer>('SELECT secret FROM server_secrets WHERE name = ?').pluck(),
  };
  return {
    async serverSecret(name: string) {
      // Whoever inserts first wins; every caller then reads the same key.
      q.add.run(name, randomBytes(32));
      return q.get.get(name)!;
    },
  };
}
