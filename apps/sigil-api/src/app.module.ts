import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AdminModule } from '#admin';
import { AuthModule } from '#auth';
import { AppConfig } from '#config';
import { HealthModule, MetricsController } from '#health';
import { MetricsModule, SigilMetrics } from '#metrics';
import { SigilModule } from '#sigil';
import { StorageModule, type StorageOptions } from '#storage';
import { TenancyModule } from '#tenancy';
import { loggerOptions } from './logging.js';

@Module({})
export class AppModule {
  /** The whole service, from a validated config (main.ts, tests and tools build it the same way). */
  static forRoot(config: AppConfig, logStream?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(config, logStream)),
        MetricsModule.forRoot({ controller: MetricsController }),
        StorageModule.forRootAsync({
          useFactory: (): StorageOptions => config.storage,
          observer: SigilMetrics,
        }),
        TenancyModule,
        AuthModule,
        SigilModule,
        HealthModule,
        AdminModule,
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
