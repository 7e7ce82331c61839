// The steps this device must do before its tickets show (SMS code, mailed link): what the
// server says is still needed, and asking for and confirming each. The server decides; a
// step done here counts for this device only (device-secret.ts).
import type { ChallengeSentReply, ConfirmReply, VerifyRefusal, WalletStepsReply } from '@gatekeeper/shared/api/verification';

export interface VerifyPorts {
  steps(token: string): Promise<WalletStepsReply>;
  sendSms(token: string): Promise<ChallengeSentReply>;
  confirmSms(token: string, code: string): Promise<ConfirmReply>;
  sendMail(token: string): Promise<ChallengeSentReply>;
  confirmMail(token: string, secret: string): Promise<ConfirmReply>;
}

/** A refusal with the server's reason, for the holder's words. */
export class VerifyRefused extends Error {
  constructor(readonly reason: VerifyRefusal | 'other', message: string, readonly triesLeft?: number) { super(message); }
}

export class WalletVerify {
  #reply = $state.raw<WalletStepsReply | null>(null);
  #smsSent = $state(false);
  #mailSent = $state(false);
  #busy = $state(false);
  #problem = $state.raw<VerifyRefused | null>(null);
  readonly #ports: VerifyPorts;
  /** Told when a step was done: the wallet asks for its codes again. */
  readonly #verified: () => Promise<void>;

  constructor(ports: VerifyPorts, verified: () => Promise<void>) {
    this.#ports = ports;
    this.#verified = verified;
  }

  get steps() { return this.#reply?.steps ?? null; }
  get mobileHint() { return this.#reply?.mobileHint ?? null; }
  get emailHint() { return this.#reply?.emailHint ?? null; }
  /** Some step is still to do on this device. */
  get needed(): boolean { return this.steps !== null && (this.steps.sms === 'needed' || this.steps.email === 'needed'); }
  get smsSent() { return this.#smsSent; }
  get mailSent() { return this.#mailSent; }
  get busy() { return this.#busy; }
  get problem() { return this.#problem; }

  /** Ask where this device stands; offline, the last answer stays. */
  async load(token: string): Promise<void> {
    try { this.#reply = await this.#ports.steps(token); } catch { /* offline or refused: the wallet says so */ }
  }

  sendSms(token: string): Promise<boolean> { return this.#do(async () => { await this.#ports.sendSms(token); this.#smsSent = true; }); }
  sendMail(token: string): Promise<boolean> { return this.#do(async () => { await this.#ports.sendMail(token); this.#mailSent = true; }); }

  confirmSms(token: string, code: string): Promise<boolean> {
    return this.#do(async () => { this.#done(await this.#ports.confirmSms(token, code.replace(/\D/g, ''))); });
  }

  /** The secret from a mailed link opened here. */
  confirmMail(token: string, secret: string): Promise<boolean> {
    return this.#do(async () => { this.#done(await this.#ports.confirmMail(token, secret)); });
  }

  #done(reply: ConfirmReply): void {
    this.#reply = { ...(this.#reply ?? { mobileHint: null, emailHint: null }), steps: reply.steps };
    if (reply.steps.sms === 'done') this.#smsSent = false;
    if (reply.steps.email === 'done') this.#mailSent = false;
  }

  async #do(work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    try {
      await work();
      this.#problem = null;
      if (!this.needed) await this.#verified();
      return true;
    } catch (e) {
      this.#problem = e instanceof VerifyRefused ? e : new VerifyRefused('other', e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
