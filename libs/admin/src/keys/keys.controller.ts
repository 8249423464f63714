import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SCOPES, Scoped } from '#auth';
import { ApiProblems, SigilService } from '#sigil';
import { KEYS_PATH } from '../admin.paths.js';
import { KeyStatusView, toKeyStatusView } from './key-status.view.js';

@ApiTags('keys')
@ApiProblems(400, 401, 429, 500, 503)
@Controller()
export class KeysController {
  constructor(private readonly sigils: SigilService) {}

  @Get(KEYS_PATH)
  @Scoped(SCOPES.admin)
  @ApiOperation({
    operationId: 'getKeys',
    summary: 'Key ring status',
    description: 'Scope: `sigil:admin`. Kids only; secrets never leave the process.',
  })
  @ApiOkResponse({ type: KeyStatusView })
  @ApiProblems(403)
  keys(): KeyStatusView {
    return toKeyStatusView(this.sigils.keyStatus());
  }
}
