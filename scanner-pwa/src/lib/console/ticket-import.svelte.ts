// The console's ticket import: a file read in the browser, its columns mapped to ours
// (suggested, or a saved mapping chosen), previewed by the server through that mapping
// (nothing written), the mapping saved under a name for the next export, then imported.
import type { ImportMapping, ImportPreviewReply, ImportReply } from '@gatekeeper/shared/api/imports';
import type { EventId } from '@gatekeeper/shared/ids';
import { idFromName } from './checkpoint-form.ts';
import { mappingProblems, suggestMapping, type ColumnMap, type ImportColumn } from '@gatekeeper/shared/import-mapping';
import type { Api, ImportFile } from '../ports.ts';

export type ImportApi = Pick<Api, 'importMappings' | 'saveImportMapping' | 'importTickets'>;
export type ImportStatus = 'empty' | 'previewing' | 'ready' | 'importing' | 'done' | 'error';

/** CSV unless the file says it is JSON (by its name, or by starting like JSON). */
export function fileFormat(name: string, text: string): ImportFile['format'] {
  if (/\.json$/i.test(name)) return 'json';
  if (/\.(csv|txt|tsv)$/i.test(name)) return 'csv';
  return /^\uFEFF?\s*[[{]/.test(text) ? 'json' : 'csv';
}

export class TicketImport {
  #file = $state.raw<(ImportFile & { name: string }) | null>(null);
  #columns = $state.raw<ColumnMap[]>([]);
  #preview = $state.raw<ImportPreviewReply | null>(null);
  #mappings = $state.raw<ImportMapping[]>([]);
  #mappingId = $state<string | null>(null);
  #status = $state<ImportStatus>('empty');
  #error = $state.raw<unknown>(null);
  #result = $state.raw<ImportReply | null>(null);
  #request = 0;
  readonly #api: ImportApi;
  readonly #eventId: EventId;

  constructor(api: ImportApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get file() { return this.#file; }
  get columns() { return this.#columns; }
  get preview() { return this.#preview; }
  get mappings() { return this.#mappings; }
  get mappingId() { return this.#mappingId; }
  get status() { return this.#status; }
  get error() { return this.#error; }
  get result() { return this.#result; }
  /** What is wrong with the mapping as edited (it is not sent while there is anything). */
  get problems(): string[] { return mappingProblems(this.#columns); }
  get canImport(): boolean {
    return this.#status === 'ready' && this.problems.length === 0 && !!this.#preview && this.#preview.errors.length === 0 && this.#preview.tickets > 0;
  }

  async loadMappings(): Promise<void> {
    try { this.#mappings = await this.#api.importMappings(this.#eventId); } catch (e) { this.#error = e; }
  }

  /** A file chosen: previewed as it is to learn its header, then through the suggested or chosen mapping. */
  async open(name: string, text: string): Promise<void> {
    this.#file = { name, text, format: fileFormat(name, text) };
    this.#result = null;
    this.#columns = [];
    await this.#previewNow();
    const header = this.#preview?.header ?? [];
    if (header.length) {
      this.#columns = suggestMapping(header, this.#chosen()?.columns);
      await this.#previewNow();
    }
  }

  /** Map one of the file's columns (by its place in the mapping) to ours, or leave it out. */
  async setColumn(index: number, to: ImportColumn | null): Promise<void> {
    this.#columns = this.#columns.map((c, k) => (k === index ? { ...c, to } : c));
    await this.#previewNow();
  }

  async chooseMapping(id: string | null): Promise<void> {
    this.#mappingId = id;
    const header = this.#preview?.header ?? [];
    if (!this.#file || !header.length) return;
    this.#columns = suggestMapping(header, this.#chosen()?.columns);
    await this.#previewNow();
  }

  /** Keep the mapping as edited under `name`, replacing the chosen one when it has that name. */
  async saveMapping(name: string): Promise<void> {
    const chosen = this.#chosen();
    const id = chosen && chosen.name === name.trim() ? chosen.id : idFromName(name) || `mapping-${Date.now()}`;
    try {
      const saved = await this.#api.saveImportMapping(this.#eventId, id, { name: name.trim(), columns: this.#columns });
      this.#mappings = [saved, ...this.#mappings.filter((m) => m.id !== saved.id)];
      this.#mappingId = saved.id;
      this.#error = null;
    } catch (e) {
      this.#error = e;
    }
  }

  async confirm(): Promise<void> {
    if (!this.#file || !this.canImport) return;
    this.#status = 'importing';
    try {
      this.#result = await this.#api.importTickets(this.#eventId, this.#file, { columns: this.#columns, preview: false });
      this.#status = 'done';
      this.#error = null;
    } catch (e) {
      this.#error = e;
      this.#status = 'error';
    }
  }

  #chosen(): ImportMapping | null {
    return this.#mappings.find((m) => m.id === this.#mappingId) ?? null;
  }

  async #previewNow(): Promise<void> {
    const file = this.#file;
    if (!file || this.problems.length) { if (this.problems.length) this.#status = 'ready'; return; }
    const request = ++this.#request;
    this.#status = 'previewing';
    try {
      const preview = await this.#api.importTickets(this.#eventId, file, { columns: file.format === 'csv' ? this.#columns : [], preview: true });
      if (request !== this.#request) return;
      this.#preview = preview;
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      if (request !== this.#request) return;
      this.#error = e;
      this.#status = 'error';
    }
  }
}
