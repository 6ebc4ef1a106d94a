import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcryptjs';
import { UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Caller } from './auth.decorators';
import { UsersService } from './users.service';

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
const DUMMY_HASH = bcrypt.hashSync('not-a-real-password', 10);

@Injectable()
export class AuthService {
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

  /** Verifies a token and returns the current user behind it (role and disabled re-read). */
  async verifyToken(token: string): Promise<Caller> {
    let payload: { sub?: string };
    try {
      payload = await this.jwt.verifyAsync<{ sub?: string }>(token);
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new UnauthorizedError(expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', expired ? 'The token has expired' : 'The token is invalid');
    }
    const id = Number.parseInt(payload.sub ?? '', 10);
    const user = Number.isInteger(id) ? await this.users.findCaller(id) : null;
    if (!user) throw new UnauthorizedError('TOKEN_INVALID', 'The token is invalid');
    if (user.disabled) throw new UnauthorizedError('USER_DISABLED', 'This user is disabled');
    return { id: user.id, username: user.username, role: user.role };
  }
}
