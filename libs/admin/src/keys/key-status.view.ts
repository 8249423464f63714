import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { KeyRingStatus } from '#sigil';

/** Which secrets this process signs and verifies with, by kid only: secrets never leave the process. */
@ApiSchema({ name: 'KeyStatus' })
export class KeyStatusView {
  @ApiProperty({
    example: '3f9a1c2b',
    pattern: '^[0-9a-f]{8}$',
    maxLength: 8,
    description: 'The kid new sigils are signed with.',
  })
  activeKid!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: '^[0-9a-f]{8}$', maxLength: 8 },
    example: ['9c01d2e3'],
    description: 'Kids that still verify, never sign.',
  })
  verifyOnlyKids!: string[];
}

export function toKeyStatusView(status: KeyRingStatus): KeyStatusView {
  return { activeKid: status.activeKid, verifyOnlyKids: [...status.verifyOnlyKids] };
}
