/**
 * Turns what the paper exchange committed into the user's private Socket.IO events: `order`,
 * `trade`, `position`, `account`; a liquidation raises the alert POSITION_LIQUIDATED (kept, and pushed). Runs after the transaction commits.
 */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import { toApi } from '../common/decimal';
import { PaperExchangeService, type EventListener } from '../exchanges/paper/paper-exchange.service';
import { positionView } from '../positions/positions.service';
import { UserEventsService } from '../realtime/user-events.service';
import { ContractOrderEntity } from './contract-order.entity';
import { toOrderView } from './order.mapper';

@Injectable()
export class TradingEventsPublisher implements OnModuleInit {
  constructor(
    private readonly paper: PaperExchangeService,
    private readonly events: UserEventsService,
    private readonly dataSource: DataSource,
    private readonly alerts: AlertsService,
  ) {}

  onModuleInit(): void {
    this.paper.onEvents((outcomes) => void this.publish(outcomes));
  }

  private async publish(outcomes: Parameters<EventListener>[0]): Promise<void> {
    for (const outcome of outcomes) {
      const { userId, exchangeAccountId, events, orderRows } = outcome;
      // a liquidation is kept as an alert (and pushed) whether or not the user is listening now
      for (const e of events) {
        if (e.type !== 'LIQUIDATION') continue;
        void this.alerts.raise({
          userId, exchangeAccountId, code: 'POSITION_LIQUIDATED', severity: 'critical', symbol: e.symbol,
          message: `Your ${e.symbol} position was liquidated at ${toApi(e.bankruptcyPrice)} (mark ${toApi(e.markPrice)})`,
          details: { positionSide: e.positionSide, bankruptcyPrice: toApi(e.bankruptcyPrice), markPrice: toApi(e.markPrice) },
        });
      }
      if (!this.events.hasListeners(userId)) continue;
      const orderIds = [...new Set(events.flatMap((e) => (e.type === 'ORDER_UPDATE' ? [e.order.orderId] : [])))];
      if (orderIds.length > 0) {
        // the rows the operation read in its transaction, when it read them all; else read now
        const rows = orderRows && orderIds.every((id) => orderRows.has(id))
          ? orderIds.map((id) => orderRows.get(id) as ContractOrderEntity)
          : await this.dataSource.getRepository(ContractOrderEntity).createQueryBuilder('o')
            .where('o.exchange_account_id = :a AND o.order_id IN (:...ids)', { a: exchangeAccountId, ids: orderIds }).getMany();
        for (const row of rows) this.events.emitToUser(userId, 'order', toOrderView(row));
      }
      const assets = new Set<string>();
      const legs = new Set<string>();
      for (const e of events) {
        if (e.type === 'FILL') {
          const f = e.fill;
          this.events.emitToUser(userId, 'trade', {
            accountId: exchangeAccountId, tradeId: f.tradeId, orderId: f.orderId, symbol: f.symbol, side: f.side, positionSide: f.positionSide,
            price: toApi(f.price), qty: toApi(f.qty), realizedPnl: toApi(f.realizedPnl), commission: toApi(f.fee),
            commissionAsset: f.feeAsset, maker: f.role === 'MAKER', time: new Date(f.ts).toISOString(),
          });
        } else if (e.type === 'POSITION') {
          legs.add(`${e.position.symbol}:${e.position.positionSide}`);
        } else if (e.type === 'BALANCE') {
          assets.add(e.entry.asset);
        } else if (e.type === 'LIQUIDATION') {
          legs.add(`${e.symbol}:${e.positionSide}`);
        }
      }
      for (const key of legs) {
        const [symbol, positionSide] = key.split(':');
        const leg = outcome.view.positions.find((p) => p.symbol === symbol && p.positionSide === positionSide);
        this.events.emitToUser(userId, 'position', leg ? positionView(leg) : { symbol, positionSide, side: 'BOTH', size: '0' });
      }
      for (const b of outcome.view.balances.filter((x) => assets.has(x.asset))) {
        this.events.emitToUser(userId, 'account', {
          accountId: exchangeAccountId, asset: b.asset, walletBalance: toApi(b.walletBalance), unrealizedPnl: toApi(b.unrealizedPnl),
          marginBalance: toApi(b.marginBalance), availableBalance: toApi(b.availableBalance),
        });
      }
    }
  }
}
