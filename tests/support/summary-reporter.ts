// Prints one closing line, "tests: N passed, N failed", that CI reads whatever the runner.
// Errors thrown outside any test (an unhandled rejection) fail the run too, so the line
// names them rather than reading "0 failed" above a failing exit code. Under `npm test`
// (scripts/test.mjs, GK_TEST_SUMMARY set) the counts go to that file instead, and the
// script prints the one line for both of its Vitest runs.
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failedHere++;
        else skipped++;
      }
      // A file that failed outside any test (an import, a beforeAll) counts once: its tests
      // were skipped, not passed.
      if (m.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    const file = process.env.GK_TEST_SUMMARY;
    if (file) {
      writeFileSync(file, JSON.stringify({ passed, failed, skipped, unhandled: unhandled.length }));
      return;
    }
    const errors = unhandled.length ? `, ${unhandled.length} unhandled error${unhandled.length > 1 ? 's' : ''} (see above)` : '';
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${errors}\n`);
  }
}
