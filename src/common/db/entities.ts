/** Every TypeORM entity of the service (the data source and the migration CLI take this list). */
import { ExchangeAccountEntity } from '../../accounts/exchange-account.entity';
import { UserEntity } from '../../auth/user.entity';
import { ContractEntity } from '../../contracts/contract.entity';
import { ContractOrderEntity } from '../../orders/contract-order.entity';
import { PositionEntity } from '../../positions/position.entity';

export const ENTITIES = [UserEntity, ExchangeAccountEntity, ContractEntity, PositionEntity, ContractOrderEntity];
