import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseConfig } from '#config';
import { action } from '../support/exit.js';
import { createApp } from '../../../sigil-api/src/app.factory.js';
import { buildOpenApiDocument } from '../../../sigil-api/src/openapi.js';

/** A config that builds the app without touching disk or network: the document depends on code only. */
const DOCUMENT_ENV = {
  NODE_ENV: 'test',
  SIGIL_STORAGE: 'memory',
  SPIRAL_EVENT_SECRET: '0'.repeat(64),
  JWT_ISSUER: 'https://issuer.invalid/',
  JWT_JWKS_URI: 'https://issuer.invalid/.well-known/jwks.json',
  LOG_LEVEL: 'silent',
};

export async function renderOpenApi(): Promise<string> {
  const app = await createApp(parseConfig(DOCUMENT_ENV), { quiet: true });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** `openapi --out F` writes the document; `openapi --check F` fails when F differs from the code's document. */
export function registerOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description('write or check the committed OpenAPI document')
    .option('--out <file>', 'write the document here')
    .option('--check <file>', 'exit 1 if this file differs from the document the code produces')
    .action(
      action(async (options: { out?: string; check?: string }) => {
        const document = await renderOpenApi();
        if (options.out) await writeFile(options.out, document);
        if (options.check) {
          const committed = await readFile(options.check, 'utf8').catch(() => '');
          if (committed !== document) {
            process.stderr.write(
              `${options.check} is out of date with the code: run \`npm run openapi\` and commit it.\n`,
            );
            return false;
          }
          process.stdout.write(`${options.check} matches the code.\n`);
        }
        if (!options.out && !options.check) process.stdout.write(document);
      }),
    );
}
