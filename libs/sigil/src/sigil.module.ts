import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, SystemClock } from './clock.js';
import { KeyRing } from './dna/key-ring.js';
import { LegacyDeprecation } from './legacy/legacy-deprecation.hook.js';
import { LegacySigilController } from './legacy/legacy-sigil.controller.js';
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
  providers: [SigilService, { provide: Clock, useClass: SystemClock }, keyRingProvider, LegacyDeprecation],
  exports: [SigilService, KeyRing, LegacyDeprecation],
})
export class SigilModule {}
