// One open-loop attack: `vegeta attack` at a constant rate (it starts as many workers as it takes
// to keep the rate whatever the latency, so a slow answer never slows the arrivals, unlike a closed
// loop of N connections), its results piped through `vegeta encode --to json` and counted as they
// arrive. Nothing is written to disk: a 2 h soak at 1,000 RPS is 7.2 million results.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

/** Runs one attack to its end; `onResult` gets every result. Rejects when vegeta fails. */
export function attack(
  vegeta,
  { targetsFile, rate, durationS, timeoutS = 10, maxBodyBytes = 512 },
  onResult,
) {
  const attacker = spawn(
    vegeta,
    [
      'attack',
      '-format=json',
      `-targets=${targetsFile}`,
      `-rate=${rate}/1s`,
      `-duration=${durationS}s`,
      `-timeout=${timeoutS}s`,
      // Enough of each answer for the checks (workload.mjs EXPECT), not whole decoded sigils.
      `-max-body=${maxBodyBytes}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const encoder = spawn(vegeta, ['encode', '--to', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  attacker.stdout.pipe(encoder.stdin);
  const errors = [];
  attacker.stderr.on('data', (d) => errors.push(`attack: ${d}`));
  encoder.stderr.on('data', (d) => errors.push(`encode: ${d}`));

  let parseError = null;
  readline.createInterface({ input: encoder.stdout, crlfDelay: Infinity }).on('line', (line) => {
    try {
      onResult(JSON.parse(line));
    } catch (error) {
      parseError ??= error;
    }
  });
  const exit = (child) =>
    new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  const done = Promise.all([exit(attacker), exit(encoder)]).then(([a, e]) => {
    if (parseError) throw parseError;
    if (a !== 0 || e !== 0) throw new Error(`vegeta exited ${a} / ${e}: ${errors.join('').slice(0, 1000)}`);
  });
  return { done, stop: () => attacker.kill('SIGINT') };
}
