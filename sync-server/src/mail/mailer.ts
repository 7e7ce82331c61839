// Mail leaves the server through one small interface: SMTP through nodemailer in
// production, the outbox table in development (no GK_SMTP_HOST), where an admin reads what
// would have gone out. Whoever composes a mail never knows which.
import { createTransport } from 'nodemailer';
import type { Storage } from '../storage/types.ts';

export interface Mail { to: string; subject: string; text: string; html: string }

export interface Mailer {
  /** Resolves once the mail is accepted (by the SMTP server, or stored in the outbox). */
  send(mail: Mail): Promise<void>;
  /** 'smtp' or 'outbox', for the console to say where mails go. */
  readonly kind: 'smtp' | 'outbox';
  close(): void;
}

export interface SmtpSettings {
  host: string; port: number; secure: boolean; user: string; password: string; from: string;
  /** Tests only: a self-signed SMTP server on loopback. */
  allowSelfSigned?: boolean;
}

export function smtpMailer(settings: SmtpSettings): Mailer {
  const transport = createTransport({
    host: settings.host, port: settings.port, secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
    ...(settings.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
    // A mail run walks every order: reuse one connection rather than one per mail.
    pool: true, maxConnections: 2,
  });
  return {
    kind: 'smtp',
    async send(mail) { await transport.sendMail({ from: settings.from, ...mail }); },
    close: () => transport.close(),
  };
}

export function outboxMailer(storage: Storage, now: () => number): Mailer {
  return {
    kind: 'outbox',
    async send(mail) { await storage.addOutboxMail({ to: mail.to, subject: mail.subject, text: mail.text, at: now() }); },
    close() {},
  };
}

/** The mailer the config asks for. */
export function mailerFor(config: { smtpHost: string; smtpPort: number; smtpSecure: boolean; smtpUser: string; smtpPassword: string; smtpFrom: string }, storage: Storage, now: () => number): Mailer {
  if (!config.smtpHost) return outboxMailer(storage, now);
  return smtpMailer({ host: config.smtpHost, port: config.smtpPort, secure: config.smtpSecure, user: config.smtpUser, password: config.smtpPassword, from: config.smtpFrom });
}
