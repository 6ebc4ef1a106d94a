import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { assertFound, ConflictError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { driverPool } from '../common/db/driver-pool';
import { UserEntity, type Role } from './user.entity';

const BCRYPT_COST = 10;

export interface UserView {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** What authentication reads of a user. */
export interface CallerRecord {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  private readonly changeListeners: ((user: UserEntity) => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the first admin from ADMIN_USERNAME / ADMIN_PASSWORD once; prints a generated password once. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword, adminPasswordGenerated, printGeneratedPassword } = this.config.auth;
    await this.dataSource.transaction(async (m) => {
      // One instance creates the admin even when several start at once.
      await m.query('SELECT pg_advisory_xact_lock(727274001)');
      if ((await m.getRepository(UserEntity).count({ where: { role: 'admin' } })) > 0) return;
      if (await m.getRepository(UserEntity).findOne({ where: { username: adminUsername } })) return;
      const user = await m.getRepository(UserEntity).save(
        m.getRepository(UserEntity).create({ username: adminUsername, passwordHash: await bcrypt.hash(adminPassword, BCRYPT_COST), role: 'admin' }),
      );
      await this.accounts.createPaperAccount(m, user.id);
      if (adminPasswordGenerated && printGeneratedPassword) {
        // Printed once, to the console only (not through the logger), at the admin's creation.
        process.stdout.write(
          `\n  First admin created: username "${adminUsername}", password "${adminPassword}"\n  (kept in ${this.config.dataDir}/secrets.json; set ADMIN_PASSWORD to choose it)\n\n`,
        );
      } else {
        this.logger.log({ msg: 'first admin created', username: adminUsername });
      }
    });
  }

  async create(input: { username: string; password: string; role: Role }): Promise<UserEntity> {
    const passwordHash = await bcrypt.hash(input.password, BCRYPT_COST);
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(UserEntity);
      const existing = await repo.findOne({ where: { username: input.username } });
      if (existing) throw new ConflictError('USERNAME_TAKEN', `The username "${input.username}" is taken`);
      const user = await repo.save(repo.create({ username: input.username, passwordHash, role: input.role }));
      await this.accounts.createPaperAccount(m, user.id);
      return user;
    });
  }

  async list(limit: number, cursor?: number): Promise<{ items: UserEntity[]; nextCursor: string | null }> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').orderBy('u.id', 'ASC').take(limit + 1);
    if (cursor !== undefined) qb.where('u.id > :cursor', { cursor });
    const rows = await qb.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }

  async update(id: number, patch: { role?: Role; disabled?: boolean; password?: string }): Promise<UserEntity> {
    const repo = this.dataSource.getRepository(UserEntity);
    const user = assertFound(await repo.findOne({ where: { id } }), 'USER_NOT_FOUND', `User ${id} was not found`);
    if (patch.role !== undefined) user.role = patch.role;
    if (patch.disabled !== undefined) user.disabled = patch.disabled;
    if (patch.password !== undefined) user.passwordHash = await bcrypt.hash(patch.password, BCRYPT_COST);
    const saved = await repo.save(user);
    for (const listener of this.changeListeners) {
      try {
        listener(saved);
      } catch (e) {
        this.logger.error({ msg: 'user change listener failed', error: (e as Error).message });
      }
    }
    return saved;
  }

  /** Called after a user was changed by an admin (the real-time edge ends a disabled user's sessions). */
  onUserChanged(listener: (user: UserEntity) => void): void {
    this.changeListeners.push(listener);
  }

  async getById(id: number): Promise<UserEntity> {
    return assertFound(await this.findById(id), 'USER_NOT_FOUND', `User ${id} was not found`);
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { id } });
  }

  /** What every authenticated request needs of its user: one named statement on the driver's pool. */
  async findCaller(id: number): Promise<CallerRecord | null> {
    const { rows } = await driverPool(this.dataSource).query<CallerRecord>({
      name: 'auth_caller',
      text: 'SELECT id, username, role, disabled FROM users WHERE id = $1',
      values: [id],
    });
    return rows[0] ?? null;
  }

  findByUsernameWithHash(username: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { username } });
  }
}
