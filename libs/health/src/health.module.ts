import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SigilModule } from '#sigil';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';

@Module({
  // Terminus logs failed checks itself; readiness failures are also in the response and metrics.
  imports: [TerminusModule.forRoot({ logger: false }), SigilModule],
  controllers: [HealthController],
  providers: [ReadinessService],
  exports: [ReadinessService],
})
export class HealthModule {}
