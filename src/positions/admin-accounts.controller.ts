import { Body, Controller, Get, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '../auth/auth.decorators';
import { UsersService } from '../auth/users.service';
import { RiskService } from '../risk/risk.service';
import { PaperDepositDto, RiskLimitsDto } from './dto/positions.dto';
import { PositionsService } from './positions.service';
import { Audited } from '../audit/audited.decorator';

const EMPTY = { maxLeverage: null, maxOrderNotional: null, maxPositionNotional: null, maxDailyTrades: null, forcedStopLossPct: null };

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/admin/users/:id')
export class AdminAccountsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly risk: RiskService,
    private readonly positions: PositionsService,
  ) {}

  @Get('risk-limits')
  @ApiOperation({ summary: 'A user\'s risk limits (null = no limit)' })
  async getLimits(@Param('id', ParseIntPipe) id: number) {
    await this.users.getById(id);
    return { userId: id, ...((await this.risk.getLimits(this.dataSource.manager, id)) ?? EMPTY) };
  }

  @Put('risk-limits')
  @Audited('risk_limits.set', 'user')
  @ApiOperation({ summary: 'Set a user\'s risk limits: max leverage, order and position notional, daily trades, forced stop-loss' })
  async putLimits(@Param('id', ParseIntPipe) id: number, @Body() dto: RiskLimitsDto) {
    await this.users.getById(id);
    return { userId: id, ...(await this.risk.putLimits(this.dataSource.manager, id, { ...EMPTY, ...dto })) };
  }

  @Post('paper-deposit')
  @Audited('paper.deposit', 'user')
  @ApiOperation({ summary: 'Credit a user\'s paper account' })
  async deposit(@Param('id', ParseIntPipe) id: number, @Body() dto: PaperDepositDto) {
    await this.users.getById(id);
    return this.positions.paperDeposit(id, dto.asset, dto.amount);
  }
}
