import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { assertFound } from '../common/errors';
import { ExchangeAccountEntity } from './exchange-account.entity';

/**
 * Called in the transaction that creates a paper account, so that the paper exchange can fund it
 * (PAPER_INITIAL_BALANCE) atomically with its creation. Provided by the paper exchange module.
 */
export interface PaperAccountInitializer {
  initialize(manager: EntityManager, account: ExchangeAccountEntity): Promise<void>;
}
export const PAPER_ACCOUNT_INITIALIZER = Symbol('PAPER_ACCOUNT_INITIALIZER');

@Injectable()
export class AccountsService {
  private initializer: PaperAccountInitializer | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(PAPER_ACCOUNT_INITIALIZER) initializer?: PaperAccountInitializer,
  ) {
    this.initializer = initializer;
  }

  /** Lets the paper exchange register itself when it is loaded after this module. */
  setPaperAccountInitializer(initializer: PaperAccountInitializer): void {
    this.initializer = initializer;
  }

  /** Creates the user's paper account (inside the caller's transaction). */
  async createPaperAccount(manager: EntityManager, userId: number): Promise<ExchangeAccountEntity> {
    const account = await manager.getRepository(ExchangeAccountEntity).save(
      manager.getRepository(ExchangeAccountEntity).create({ userId, exchange: 'paper', name: 'paper', isDefault: true }),
    );
    if (this.initializer) await this.initializer.initialize(manager, account);
    return account;
  }

  async listForUser(userId: number): Promise<ExchangeAccountEntity[]> {
    return this.dataSource.getRepository(ExchangeAccountEntity).find({ where: { userId }, order: { id: 'ASC' } });
  }

  /**
   * The account a request acts on: the given id if it is the caller's, else the caller's default
   * paper account. Another user's account answers 404 (never 403: its existence is not revealed).
   */
  async resolveForUser(userId: number, accountId?: number, manager?: EntityManager): Promise<ExchangeAccountEntity> {
    const repo = (manager ?? this.dataSource.manager).getRepository(ExchangeAccountEntity);
    const account =
      accountId === undefined
        ? await repo.findOne({ where: { userId, exchange: 'paper', isDefault: true } })
        : await repo.findOne({ where: { id: accountId, userId } });
    return assertFound(account, 'ACCOUNT_NOT_FOUND', accountId === undefined ? 'You have no paper account' : `Account ${accountId} was not found`);
  }
}
