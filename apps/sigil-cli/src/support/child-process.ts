import { spawn } from 'node:child_process';
import { basename } from 'node:path';

/**
 * Runs a binary to completion with `input` on stdin and resolves with its stdout. A failure carries
 * the tail of stderr, never stdout: stdout may hold secret material (kubectl get secret).
 */
export function runProcess(binary: string, args: string[], input = ''): Promise<string> {
  const name = basename(binary);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', (error) => reject(new Error(`${name}: ${error.message}`)));
    child.once('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${name} failed (exit ${code}): ${stderr.trim()}`)),
    );
    // A child that exits without reading its stdin must not fail the run with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
