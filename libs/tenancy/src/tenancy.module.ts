import { Global, Module } from '@nestjs/common';
import { TenantResolver } from './tenant-resolver.js';

@Global()
@Module({ providers: [TenantResolver], exports: [TenantResolver] })
export class TenancyModule {}
