/**
 * The global guard: every route needs a valid bearer token unless marked @Public(); a route marked
 * @Roles(...) also needs one of the roles. The token's user is re-read so that a disabled user or a
 * changed role takes effect at once — except on a route marked @CallerRecheckedOnWrite(), whose
 * handler requires both again in the statement that acts: there the user's last read is used (a
 * role it lacks is read afresh before the request is refused).
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '../common/errors';
import { CALLER_RECHECKED, IS_PUBLIC, ROLES_KEY, type Caller } from './auth.decorators';
import { AuthService } from './auth.service';
import type { Role } from './user.entity';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: Caller }>();
    const header = req.headers['authorization'];
    if (!header) throw new UnauthorizedError('TOKEN_MISSING', 'An Authorization: Bearer <token> header is required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
    const kept = this.reflector.getAllAndOverride<boolean>(CALLER_RECHECKED, targets) === true;
    const caller = await this.auth.verifyToken(match[1], { kept });
    req.user = caller;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    try {
      this.auth.assertRole(caller, roles);
    } catch (e) {
      // a kept read may predate a promotion: refused only on a fresh read
      if (!kept) throw e;
      req.user = await this.auth.recheck(caller.id, roles);
    }
    return true;
  }
}
