import { spawn } from 'node:child_process';

/**
 * Runs kubectl (from PATH) with `input` on stdin and returns stdout. Secrets only ever travel over
 * stdin/stdout or in 0600 files: never in arguments, which `ps` shows to every user.
 */
export function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => reject(new Error(`kubectl: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      // stderr of a failed command, not stdout: stdout may hold secret material.
      else
        reject(new Error(`kubectl ${args[0] ?? ''} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
