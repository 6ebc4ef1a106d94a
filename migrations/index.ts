/** Every migration, in order. The data source takes this list (no globs: the same in jest and in dist). */
import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { Trading1764000000001 } from './1764000000001-trading';
import { MarketFeedState1764000000002 } from './1764000000002-market-feed-state';
import { PaperAccountVersion1764000000003 } from './1764000000003-paper-account-version';
import { PaperOpenOrders1764000000004 } from './1764000000004-paper-open-orders';
import { AlertsAndAudit1764000000005 } from './1764000000005-alerts-and-audit';
import { OpenOrderLimits1764000000006 } from './1764000000006-open-order-limits';
import { LiquidationRiskLevels1764000000007 } from './1764000000007-liquidation-risk-levels';

export const MIGRATIONS = [InitialSchema1764000000000, Trading1764000000001, MarketFeedState1764000000002, PaperAccountVersion1764000000003, PaperOpenOrders1764000000004, AlertsAndAudit1764000000005, OpenOrderLimits1764000000006, LiquidationRiskLevels1764000000007];
