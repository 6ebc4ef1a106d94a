import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CallerRecheckedOnWrite, CurrentUser, Roles, type Caller } from '../auth/auth.decorators';
import { CancelAllQueryDto, ListOrdersQueryDto, ListTradesQueryDto, PlaceOrderDto } from './dto/order.dto';
import { OrdersService, PLACE_ORDER_ROLES } from './orders.service';
import { Audited } from '../audit/audited.decorator';

@ApiTags('trading')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post('orders')
  @Roles(...PLACE_ORDER_ROLES)
  @CallerRecheckedOnWrite()
  @ApiOperation({ summary: 'Place an order (201 the order; 200 the first order again for a repeated clientOrderId)' })
  async place(@CurrentUser() caller: Caller, @Body() dto: PlaceOrderDto, @Res({ passthrough: true }) res: FastifyReply) {
    const { order, created } = await this.orders.place(caller, dto);
    res.status(created ? 201 : 200);
    return order;
  }

  @Delete('orders/:id')
  @Audited('order.cancel', 'order')
  @Roles('trader')
  @ApiOperation({ summary: 'Cancel an open order (409 ORDER_NOT_CANCELABLE if it is final)' })
  cancel(@CurrentUser() caller: Caller, @Param('id', ParseIntPipe) id: number) {
    return this.orders.cancel(caller, id);
  }

  @Delete('orders')
  @Audited('order.cancel_all', 'account')
  @Roles('trader')
  @ApiOperation({ summary: 'Cancel all open orders of a symbol' })
  cancelAll(@CurrentUser() caller: Caller, @Query() q: CancelAllQueryDto) {
    return this.orders.cancelAll(caller, q.symbol, q.accountId);
  }

  @Get('orders')
  @ApiOperation({ summary: 'Your orders, newest first (filters, cursor pagination)' })
  list(@CurrentUser() caller: Caller, @Query() q: ListOrdersQueryDto) {
    return this.orders.list(caller, q);
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'One of your orders' })
  get(@CurrentUser() caller: Caller, @Param('id', ParseIntPipe) id: number) {
    return this.orders.get(caller, id);
  }

  @Get('trades')
  @ApiOperation({ summary: 'Your fills: price, qty, realized PnL, commission, maker' })
  trades(@CurrentUser() caller: Caller, @Query() q: ListTradesQueryDto) {
    return this.orders.trades(caller, q);
  }
}
