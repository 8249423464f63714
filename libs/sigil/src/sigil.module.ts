import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, SystemClock } from './clock.js';
import { KeyRing } from './dna/key-ring.js';
import { LegacyDeprecationMiddleware } from './legacy/legacy-deprecation.middleware.js';
import { LegacySigilController } from './legacy/legacy-sigil.controller.js';
import { LEGACY_PATH } from './legacy/legacy.paths.js';
import { SigilController } from './sigil.controller.js';
import { SigilService } from './sigil.service.js';

/** The key ring from the validated config. */
export const keyRingProvider = {
  provide: KeyRing,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new KeyRing(config.secrets.active, config.secrets.previous),
};

@Module({
  controllers: [SigilController, LegacySigilController],
  providers: [SigilService, { provide: Clock, useClass: SystemClock }, keyRingProvider],
  exports: [SigilService, KeyRing],
})
export class SigilModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LegacyDeprecationMiddleware).forRoutes(LEGACY_PATH);
  }
}
