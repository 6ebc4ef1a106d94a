import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcryptjs';
import { BoundedMap } from '../common/concurrency/bounded-map';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Caller } from './auth.decorators';
import type { Role } from './user.entity';
import { UsersService, type CallerRecord } from './users.service';

const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

/** Verified tokens kept. */
const KEPT_TOKENS = 10_000;

/** Users whose last read the guard may reuse on routes that check the caller again (least recently read dropped). */
const KEPT_CALLERS = 10_000;

/**
 * The check of a caller that a statement makes itself (`CallerRecheckedOnWrite`): the columns it reads
 * along (`caller`, as JSON) and the condition it requires, for a user id given as an SQL expression.
 * Shaped as the paper store's read-along check.
 */
export interface CallerCheck {
  name: string;
  columns(user: string): string;
  requires(user: string): string;
}

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
const DUMMY_HASH = bcrypt.hashSync('not-a-real-password', 10);

@Injectable()
export class AuthService {
  /** Tokens whose signature was verified, with the claims used (least recently verified dropped). */
  private readonly verifiedTokens = new BoundedMap<string, { sub?: string; exp?: number }>(KEPT_TOKENS);
  /** The last read of each user (every full check updates it). */
  private readonly callers = new BoundedMap<number, CallerRecord>(KEPT_CALLERS);

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string) {
    const user = await this.users.findByUsernameWithHash(username);
    const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) throw new UnauthorizedError('INVALID_CREDENTIALS', 'Username or password is wrong');
    if (user.disabled) throw new UnauthorizedError('USER_DISABLED', 'This user is disabled');
    const expiresIn = this.config.auth.jwtExpiresInSeconds;
    const accessToken = await this.jwt.signAsync({ sub: String(user.id), username: user.username }, { expiresIn });
    return { accessToken, tokenType: 'Bearer' as const, expiresIn };
  }

  /**
   * Verifies a token and returns the current user behind it (role and disabled re-read). `kept`: the
   * route checks the caller again where it acts, so the user's last read may be answered instead of
   * reading it again (a user unknown here, or last read as disabled, is read).
   */
  async verifyToken(token: string, options: { kept?: boolean } = {}): Promise<Caller> {
    const id = Number.parseInt((await this.verifySignature(token)).sub ?? '', 10);
    if (!Number.isInteger(id)) throw new UnauthorizedError('TOKEN_INVALID', 'The token is invalid');
    const kept = options.kept ? this.callers.get(id) : undefined;
    if (kept && !kept.disabled) return { id: kept.id, username: kept.username, role: kept.role };
    return this.callerOf(id, await this.users.findCaller(id));
  }

  /**
   * The token's claims, its signature checked once: a token verified before is answered from memory
   * while it lasts (its expiry is checked on every use, as the JWT library does: expired from the
   * second of `exp`). Only well-signed tokens are kept, under their exact text.
   */
  private async verifySignature(token: string): Promise<{ sub?: string }> {
    const kept = this.verifiedTokens.get(token);
    if (kept) {
      if (kept.exp !== undefined && Math.floor(Date.now() / 1000) >= kept.exp) {
        this.verifiedTokens.delete(token);
        throw new UnauthorizedError('TOKEN_EXPIRED', 'The token has expired');
      }
      return kept;
    }
    let payload: { sub?: string; exp?: number };
    try {
      payload = await this.jwt.verifyAsync<{ sub?: string; exp?: number }>(token);
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new UnauthorizedError(expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', expired ? 'The token has expired' : 'The token is invalid');
    }
    this.verifiedTokens.set(token, { sub: payload.sub, exp: typeof payload.exp === 'number' ? payload.exp : undefined });
    return payload;
  }

  /** The caller read afresh (for a route whose guard may have answered from a kept read). */
  async recheck(id: number, roles: readonly Role[]): Promise<Caller> {
    const caller = this.callerOf(id, await this.users.findCaller(id));
    this.assertRole(caller, roles);
    return caller;
  }

  /** Throws 403 ROLE_REQUIRED unless the caller has one of the roles (admin has them all). */
  assertRole(caller: Caller, roles: readonly Role[]): void {
    if (roles.length === 0) return;
    const needed = Math.min(...roles.map((r) => RANK[r]));
    if (RANK[caller.role] < needed) throw new ForbiddenError('ROLE_REQUIRED', `This action needs the role ${roles.join(' or ')}; yours is ${caller.role}`);
  }

  /**
   * What a statement reads of the caller and requires of it to act for someone in one of `roles`:
   * the user exists, is enabled and has the role.
   */
  callerCheck(roles: readonly Role[]): CallerCheck {
    const needed = Math.min(...roles.map((r) => RANK[r]));
    const allowed = (Object.keys(RANK) as Role[]).filter((r) => RANK[r] >= needed);
    return {
      name: `caller_${allowed.join('_')}`,
      columns: (user) => `(SELECT json_build_object('id', u.id, 'username', u.username, 'role', u.role, 'disabled', u.disabled) FROM users u WHERE u.id = ${user}) AS caller`,
      requires: (user) => `EXISTS (SELECT 1 FROM users u WHERE u.id = ${user} AND NOT u.disabled AND u.role IN (${allowed.map((r) => `'${r}'`).join(', ')}))`,
    };
  }

  /** The caller as a statement read it along (`callerCheck`): kept, then checked as the guard would. */
  checkRead(id: number, columns: Record<string, unknown>, roles: readonly Role[]): Caller {
    const caller = this.callerOf(id, (columns.caller as CallerRecord | null) ?? null);
    this.assertRole(caller, roles);
    return caller;
  }

  private callerOf(id: number, user: CallerRecord | null): Caller {
    if (!user) {
      this.callers.delete(id);
      throw new UnauthorizedError('TOKEN_INVALID', 'The token is invalid');
    }
    this.callers.set(id, user);
    if (user.disabled) throw new UnauthorizedError('USER_DISABLED', 'This user is disabled');
    return { id: user.id, username: user.username, role: user.role };
  }
}
