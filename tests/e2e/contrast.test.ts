// WCAG AA on the verdict screens as the browser paints them: every piece of text on every
// verdict class, measured against the background colour it sits on (the first ancestor
// with one), at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). A gate in
// sunlight is the reason; the screen is the one a holder's phone is held against.
import { beforeAll, describe, expect, test } from 'vitest';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { takeTicket, ticketCode, signedInGate, worldForFile } from './fixtures.ts';

const env = worldForFile();

let gate: ScannerPage;

beforeAll(async () => {
  gate = await signedInGate(env);
});

interface Finding { text: string; ratio: number; needed: number; color: string; background: string }

/** The worst-contrasted text in the verdict on screen, as the page computes its styles. */
async function worstText(): Promise<Finding & { checked: number }> {
  return gate.page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!.split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0]!, p[1]!, p[2]!, p.length > 3 ? p[3]! : 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!);
    };
    const backgroundOf = (el: Element): number[] => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] >= 0.99) return c;
      }
      return [255, 255, 255, 1];
    };
    const root = document.querySelector('[data-testid=verdict]')!;
    let worst = { text: '', ratio: Infinity, needed: 4.5, color: '', background: '', margin: Infinity };
    let checked = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      const fg = parse(style.color);
      const bg = backgroundOf(el);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      checked++;
      if (ratio / needed < worst.margin) worst = { text: text.slice(0, 60), ratio, needed, color: style.color, background: `rgb(${bg.slice(0, 3).join(', ')})`, margin: ratio / needed };
    }
    return { ...worst, checked };
  });
}

async function expectReadable(): Promise<void> {
  const worst = await worstText();
  expect(worst.checked).toBeGreaterThan(2);
  expect(worst.ratio, `"${worst.text}": ${worst.color} on ${worst.background}`).toBeGreaterThanOrEqual(worst.needed);
}

describe('verdict contrast (WCAG AA)', () => {
  test('VALID, ALREADY SCANNED (with the earlier-scans table), INVALID', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: false });
    await expectReadable();
    await gate.dismissVerdict();

    await gate.wedge(code);
    await gate.expectVerdict('already_used');
    await expectReadable();
    await gate.dismissVerdict();

    await gate.wedge(code.slice(0, 30) + (code[30] === 'A' ? 'B' : 'A') + code.slice(31));
    await gate.expectVerdict('invalid_signature');
    await expectReadable();
    await gate.dismissVerdict();
  });

  test('CHECK ID, and VALID OFFLINE with its provisional banner', async () => {
    const personal = takeTicket(env.w, (x) => x.idCheck && x.status === 'paid' && x.validFrom === null && x.validUntil === null);
    await gate.wedge((await ticketCode(env.w, personal.id)).code);
    await gate.expectVerdict('needs_id_check');
    await expectReadable();
    await gate.dismissVerdict();

    await gate.setOffline(true);
    const t = takeTicket(env.w);
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid', { offline: true });
    await expectReadable();
    await gate.dismissVerdict();
    await gate.setOffline(false);
  });

  test('VALID asking to confirm an Undo, and UNDONE', async () => {
    // The test before ends by going back online: an online verdict needs the socket back first.
    await gate.waitOnline();
    const t = takeTicket(env.w);
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.verdict().getByTestId('undo').click();
    await gate.verdict().getByTestId('undo-confirm').waitFor();
    await expectReadable();
    await gate.verdict().getByTestId('undo-confirm').click();
    await gate.page.locator('[data-testid=verdict][data-undone=true]').waitFor();
    await expectReadable();
    await gate.dismissVerdict();
  });
});
