import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ContractsService } from './contracts.service';
import { CalculatorDto, ContractListQueryDto, ExchangeQueryDto } from './dto/calculator.dto';

const SYMBOL = /^[A-Z0-9_-]{2,50}$/;

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Get()
  @ApiOperation({ summary: 'Contract specs (tick, step, min quantity and notional, leverage brackets)' })
  list(@Query() q: ContractListQueryDto) {
    return this.contracts.list(q);
  }

  @Get(':symbol')
  @ApiOperation({ summary: 'One contract spec' })
  get(@Param('symbol') symbol: string, @Query() q: ExchangeQueryDto) {
    return this.contracts.get(normalize(symbol), q.exchange);
  }

  @Post(':symbol/calculator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The exchange calculator: margins, PnL, ROE, liquidation and bankruptcy prices, max openable quantity',
  })
  calculate(@Param('symbol') symbol: string, @Body() dto: CalculatorDto, @Query() q: ExchangeQueryDto) {
    return this.contracts.calculate(normalize(symbol), dto, q.exchange);
  }
}

function normalize(symbol: string): string {
  const s = symbol.toUpperCase();
  return SYMBOL.test(s) ? s : '_invalid_';
}
