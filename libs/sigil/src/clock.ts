import { Injectable } from '@nestjs/common';

/** Time source, injectable so tests can move time instead of sleeping. */
export abstract class Clock {
  abstract now(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
