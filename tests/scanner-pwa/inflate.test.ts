// The app's side of compressed `scans` messages: inflating deflate-raw with the web's
// DecompressionStream (Node has it too), and handing messages on in arrival order while
// a binary one is still inflating.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canInflateRaw, inflateRawText, InOrder } from '../../scanner-pwa/src/lib/sync/inflate.ts';
import { until } from '../support/until.ts';

const packed = (text: string): ArrayBuffer => new Uint8Array(deflateRawSync(text)).buffer;

describe('inflateRawText', () => {
  it('inflates what the server deflates, UTF-8 included', async () => {
    const text = JSON.stringify({ type: 'scans', scans: [{ holder: 'Zoë Ødegaard' }], cursor: 1, more: false });
    expect(canInflateRaw()).toBe(true);
    expect(await inflateRawText(packed(text))).toBe(text);
  });

  it('rejects bytes that are not deflate-raw', async () => {
    await expect(inflateRawText(new Uint8Array([1, 2, 3, 4, 5]).buffer)).rejects.toThrow();
  });
});

describe('InOrder', () => {
  it('hands text on at once when nothing waits', () => {
    const got: string[] = [];
    new InOrder().push('a', (t) => got.push(t), () => {});
    expect(got).toEqual(['a']);
  });

  it('holds text back behind a binary message still inflating, and keeps arrival order', async () => {
    const got: string[] = [];
    const order = new InOrder();
    const deliver = (t: string) => { got.push(t); };
    order.push(inflateRawText(packed('first')), deliver, () => {});
    order.push('second', deliver, () => {});
    order.push(inflateRawText(packed('third')), deliver, () => {});
    expect(got).toEqual([]);
    await until(() => got.length === 3, 'all three delivered');
    expect(got).toEqual(['first', 'second', 'third']);
    order.push('fourth', deliver, () => {});
    expect(got).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('reports a message that fails to inflate and goes on with the next', async () => {
    const got: string[] = [];
    const failed: unknown[] = [];
    const order = new InOrder();
    order.push(inflateRawText(new Uint8Array([9, 9, 9]).buffer), (t) => got.push(t), (e) => failed.push(e));
    order.push('next', (t) => got.push(t), (e) => failed.push(e));
    await until(() => got.length === 1, 'the next message delivered');
    expect(failed).toHaveLength(1);
    expect(got).toEqual(['next']);
  });
});
