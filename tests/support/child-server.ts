// The real server as a separate process (`tsx sync-server/src/main.ts`), for tests that
// kill it: what matters there is what the operating system leaves behind.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer { url: string; proc: ChildProcess; output: () => string; kill(signal?: NodeJS.Signals): Promise<void> }

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  // Node itself with tsx as its loader: one process. The `tsx` command would be a wrapper
  // that runs the server as its own child, and a SIGKILL to the wrapper (no signal handler
  // can pass it on) would leave the real server running: no crash at all.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
    cwd: process.cwd(),
    // Demo mode unless the test says otherwise: the tests log in with the demo's logins.
    env: { ...process.env, GK_HOST: '127.0.0.1', GK_PORT: '0', GK_HTTPS_PORT: '-1', GK_LOG_LEVEL: 'warn', GK_DEMO: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += String(d); });
  proc.stderr!.on('data', (d) => { out += String(d); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /On this machine:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${out}`)); });
  });
  return {
    url, proc, output: () => out,
    kill: (signal = 'SIGKILL') => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    }),
  };
}
