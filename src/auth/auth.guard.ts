/**
 * The global guard: every route needs a valid bearer token unless marked @Public(); a route marked
 * @Roles(...) also needs one of the roles. The token's user is re-read so that a disabled user or a
 * changed role takes effect at once.
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { IS_PUBLIC, ROLES_KEY, type Caller } from './auth.decorators';
import { AuthService } from './auth.service';
import type { Role } from './user.entity';

const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

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
    const caller = await this.auth.verifyToken(match[1]);
    req.user = caller;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && roles.length > 0) {
      const needed = Math.min(...roles.map((r) => RANK[r]));
      if (RANK[caller.role] < needed) {
        throw new ForbiddenError('ROLE_REQUIRED', `This action needs the role ${roles.join(' or ')}; yours is ${caller.role}`);
      }
    }
    return true;
  }
}
