import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './user.entity';

/** The authenticated caller, as every service receives it (services never read the request). */
export interface Caller {
  id: number;
  username: string;
  role: Role;
}

export const IS_PUBLIC = 'isPublic';
export const ROLES_KEY = 'roles';

/** The route needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route needs one of these roles (admin passes every check). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CALLER_RECHECKED = 'callerRechecked';

/**
 * The route's handler checks its caller again in the statement that acts (an order's write requires
 * the user still enabled and in the role): the guard may then let the request in on the caller it
 * read last for that user, without reading the user again. A user disabled or demoted since is
 * refused by that statement, as 401 or 403, and nothing is written. Only for handlers that do so.
 */
export const CallerRecheckedOnWrite = () => SetMetadata(CALLER_RECHECKED, true);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<{ user: Caller }>().user;
});
