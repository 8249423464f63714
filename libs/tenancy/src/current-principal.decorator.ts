import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal.js';

/** The authenticated principal the auth guard attached to the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ user?: Principal }>();
  if (!request.user) {
    // A route using this decorator without the auth guard is a wiring bug, not a client error.
    throw new Error('CurrentPrincipal used on a route without authentication');
  }
  return request.user;
});
