// Page model of the console's settings sections (screens/console/CheckpointsScreen.svelte,
// ImportScreen.svelte): what a supervisor or admin does there, in their words.
import type { Locator } from 'playwright-core';
import type { ConsolePage } from './console-page.ts';
import { WAIT_MS } from './scanner-page.ts';

export class SettingsConsole {
  constructor(readonly console: ConsolePage) {}
  get page() { return this.console.page; }

  async openSection(name: 'Checkpoints' | 'Import'): Promise<Locator> {
    await this.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();
    const section = this.page.getByTestId(name === 'Checkpoints' ? 'console-checkpoints' : 'console-import');
    await section.waitFor({ timeout: WAIT_MS });
    return section;
  }

  /** Checkpoints: open one in the form, by its id. */
  async pickCheckpoint(id: string): Promise<void> {
    await this.page.locator('[data-testid=console-checkpoints][data-status=ready]').waitFor({ timeout: WAIT_MS });
    await this.page.getByTestId(`checkpoint-${id}`).click();
  }

  /** The dry run's answer: the outcome as the server names it, the big word and why. */
  async dryRun(ticketId: string): Promise<{ outcome: string; word: string; why: string }> {
    const panel = this.page.getByTestId('dry-run');
    await panel.getByLabel('Ticket number').fill(ticketId);
    await panel.getByTestId('dry-run-go').click();
    await this.page.locator('[data-testid=dry-run][data-status=ready]').waitFor({ timeout: WAIT_MS });
    const answer = panel.getByTestId('dry-run-answer');
    return {
      outcome: (await answer.getAttribute('data-outcome')) ?? '',
      word: (await answer.locator('.word').innerText()).trim(),
      why: (await panel.getByTestId('dry-run-why').innerText()).trim(),
    };
  }

  /** Import: choose a file (as the file picker would hand it over) and wait for its preview. */
  async chooseFile(name: string, text: string, mimeType = 'text/csv'): Promise<void> {
    await this.page.getByTestId('import-file').setInputFiles({ name, mimeType, buffer: Buffer.from(text, 'utf8') });
    await this.previewed();
  }

  async previewed(): Promise<void> {
    await this.page.locator('[data-testid=console-import][data-status=ready]').waitFor({ timeout: WAIT_MS });
  }

  /** Map the file's column `from` to ours (`''`: leave it out), and wait for the new preview. */
  async mapColumn(from: string, to: string): Promise<void> {
    await this.page.getByTestId(`map-${from}`).selectOption(to);
    await this.previewed();
  }

  async previewCounts(): Promise<{ tickets: number; errors: number }> {
    const p = this.page.getByTestId('import-preview');
    return { tickets: Number(await p.getAttribute('data-tickets')), errors: Number(await p.getAttribute('data-errors')) };
  }
}
