import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RouteMetadataReflector } from './route-metadata.reflector.js';
import { PrincipalThrottlerGuard } from './rate-limit/principal-throttler.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';

/**
 * Authentication, scopes and rate limits. Guards run in the order listed: the JWT guard first (it
 * also limits failed requests per address), then the per-principal limit on the verified principal.
 */
@Module({
  imports: [PassportModule.register({ session: false }), ...RateLimitModule],
  providers: [
    JwtStrategy,
    RouteMetadataReflector,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: PrincipalThrottlerGuard },
  ],
})
export class AuthModule {}
