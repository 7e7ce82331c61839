// What a person sees broken on a screen, found in the page rather than by eye: the page
// scrolls sideways, a control's or heading's text does not fit its box (cut off by an
// ellipsis or a hidden overflow, or spilling over its neighbours), a text field is
// squeezed too narrow to read what is typed in it, a date field too narrow for its time,
// or a drop-down cuts off its choice.
// Dutch words are longer than English ones; the console's screenshots in both languages run
// this before each shot.
import type { Page } from 'playwright-core';

/** One line per fault, naming the element by its text; empty when the screen is whole. */
export function layoutFaults(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const faults: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) faults.push(`the page scrolls sideways (${root.scrollWidth} px in ${root.clientWidth})`);
    // Block-level boxes whose own text is what a person reads: the controls, labels,
    // headings, table cells and badges. Inline text flows and wraps; these can be cut.
    const candidates = document.querySelectorAll<HTMLElement>('button, a, label, summary, th, td, dt, dd, h1, h2, h3, h4, legend, .badge, [role=tab]');
    for (const el of candidates) {
      // No helper functions in here: the page runs this text as it is, without the test's bundler helpers.
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
      if (style.display === 'inline' || style.display === 'contents') continue;
      // A box made to scroll (a row of tabs, a wide table's frame) holds more than it shows by design.
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') continue;
      if (el.scrollWidth > el.clientWidth + 1 || (style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1)) {
        const text = (el.innerText || el.getAttribute('aria-label') || el.tagName).replace(/\s+/g, ' ').trim().slice(0, 60);
        faults.push(`${el.tagName.toLowerCase()} "${text}" needs ${el.scrollWidth}×${el.scrollHeight} px, has ${el.clientWidth}×${el.clientHeight}`);
      }
    }
    // A field to type a name, a word or a password in, squeezed by a long button beside it.
    for (const el of document.querySelectorAll<HTMLElement>('input[type=text], input:not([type]), input[type=password], input[type=search], input[type=email], input[type=url], textarea')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (box.width < 128) faults.push(`${el.tagName.toLowerCase()}#${el.id || el.getAttribute('name') || '?'} is ${Math.round(box.width)} px wide: too narrow to see what is typed`);
    }
    // A date with its time: the browser draws it inside the field, out of the page's reach,
    // and "12/03/2026, 03:30 PM" with its calendar button needs about 240 px at the
    // console's size; narrower, the time is cut off (seen at 190 px on a phone).
    for (const el of document.querySelectorAll<HTMLInputElement>('input[type=datetime-local]')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (box.width < 240) faults.push(`input#${el.id || '?'} (a date and time) is ${Math.round(box.width)} px wide: its time is cut off`);
    }
    // A drop-down whose chosen option is cut off ("In en uit (geen do"): its text measured in
    // its own font against the box less its padding and the arrow (about 20 px in Chromium).
    const measure = document.createElement('canvas').getContext('2d')!;
    for (const el of document.querySelectorAll<HTMLSelectElement>('select')) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || el.multiple) continue;
      measure.font = style.font;
      const text = el.selectedOptions[0]?.text ?? '';
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      if (measure.measureText(text).width > room) faults.push(`select#${el.id || '?'} cuts off "${text}" (${Math.round(measure.measureText(text).width)} px of text in ${Math.round(room)})`);
    }
    return faults;
  });
}
