import { ApiProperty } from '@nestjs/swagger';
import type { KeyRingStatus } from '#sigil';

/** Which secrets this process signs and verifies with, by kid only: secrets never leave the process. */
export class KeyStatusView {
  @ApiProperty({ example: '3f9a1c2b', description: 'The kid new sigils are signed with.' })
  activeKid!: string;
  @ApiProperty({ type: [String], example: ['9c01d2e3'], description: 'Kids that still verify, never sign.' })
  verifyOnlyKids!: string[];
}

export function toKeyStatusView(status: KeyRingStatus): KeyStatusView {
  return { activeKid: status.activeKid, verifyOnlyKids: [...status.verifyOnlyKids] };
}
