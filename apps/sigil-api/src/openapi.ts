import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sigil-DNA')
    .setDescription(
      'Multi-tenant signing registry. Mint sigils (a JSON payload bound to its SHA-256 digest, a resonance ' +
        'pattern and an HMAC-SHA256 signature under a tenant-derived key), then decode, verify, list, match ' +
        'and revoke them. Every error is application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'RS/PS/ES-signed JWT from the configured JWKS issuer. Scopes: sigil:read, sigil:write, sigil:revoke, sigil:admin.',
      },
      'jwt',
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
