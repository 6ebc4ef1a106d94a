import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type Caller } from '../auth/auth.decorators';
import { AccountQueryDto } from '../orders/dto/order.dto';
import { LedgerQueryDto, ModifyMarginDto, SetLeverageDto, SetMarginModeDto, SetPositionModeDto } from './dto/positions.dto';
import { PositionsService } from './positions.service';
import { Audited } from '../audit/audited.decorator';

const SYMBOL = /^[A-Z0-9_-]{2,50}$/;

@ApiTags('account')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class PositionsController {
  constructor(private readonly positions: PositionsService) {}

  @Get('account')
  @ApiOperation({ summary: 'Balances per asset: wallet, unrealized PnL, margin balance, available, initial and maintenance margin' })
  account(@CurrentUser() caller: Caller, @Query() q: AccountQueryDto) {
    return this.positions.account(caller, q.accountId);
  }

  @Get('positions')
  @ApiOperation({ summary: 'Open positions at the current mark price' })
  list(@CurrentUser() caller: Caller, @Query() q: AccountQueryDto) {
    return this.positions.positions(caller, q.accountId);
  }

  @Get('margin')
  @ApiOperation({ summary: 'Margin ratio per asset; per position the distance to liquidation and a risk level' })
  margin(@CurrentUser() caller: Caller, @Query() q: AccountQueryDto) {
    return this.positions.margin(caller, q.accountId);
  }

  @Post('leverage')
  @Audited('account.set_leverage', 'account')
  @HttpCode(200)
  @Roles('trader')
  @ApiOperation({ summary: 'Set the leverage of a symbol (limited by the brackets)' })
  leverage(@CurrentUser() caller: Caller, @Body() dto: SetLeverageDto) {
    return this.positions.setLeverage(caller, dto.symbol, dto.leverage, dto.accountId);
  }

  @Post('margin-mode')
  @Audited('account.set_margin_mode', 'account')
  @HttpCode(200)
  @Roles('trader')
  @ApiOperation({ summary: 'Isolated or cross margin for a symbol' })
  marginMode(@CurrentUser() caller: Caller, @Body() dto: SetMarginModeDto) {
    return this.positions.setMarginMode(caller, dto.symbol, dto.marginMode, dto.accountId);
  }

  @Post('position-mode')
  @Audited('account.set_position_mode', 'account')
  @HttpCode(200)
  @Roles('trader')
  @ApiOperation({ summary: 'Hedge mode (dualSidePosition true) or one-way mode' })
  positionMode(@CurrentUser() caller: Caller, @Body() dto: SetPositionModeDto) {
    return this.positions.setPositionMode(caller, dto.dualSidePosition, dto.accountId);
  }

  @Post('positions/:symbol/margin')
  @Audited('position.modify_margin', 'symbol')
  @HttpCode(200)
  @Roles('trader')
  @ApiOperation({ summary: 'Add or remove isolated margin' })
  modifyMargin(@CurrentUser() caller: Caller, @Param('symbol') symbol: string, @Body() dto: ModifyMarginDto) {
    return this.positions.modifyMargin(caller, SYMBOL.test(symbol) ? symbol : '_invalid_', dto);
  }

  @Get('funding-payments')
  @ApiOperation({ summary: 'Funding payments booked on your positions' })
  funding(@CurrentUser() caller: Caller, @Query() q: LedgerQueryDto) {
    return this.positions.fundingPayments(caller, q);
  }

  @Get('income')
  @ApiOperation({ summary: 'The ledger: realized PnL, commissions, funding, transfers' })
  income(@CurrentUser() caller: Caller, @Query() q: LedgerQueryDto) {
    return this.positions.income(caller, q);
  }
}
