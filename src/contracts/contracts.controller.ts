import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MarketDataService } from '../market-data/market-data.service';
import { ContractsService } from './contracts.service';
import { CalculatorDto, ContractListQueryDto, ExchangeQueryDto } from './dto/calculator.dto';

const SYMBOL = /^[A-Z0-9_-]{2,50}$/;

class DepthQueryDto extends ExchangeQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class ContractsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly marketData: MarketDataService,
  ) {}

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

  @Get(':symbol/price')
  @ApiOperation({ summary: 'Last, mark and index price, funding rate and next funding time (from the market-data cache)' })
  async price(@Param('symbol') symbol: string, @Query() q: ExchangeQueryDto) {
    const s = normalize(symbol);
    await this.contracts.get(s, q.exchange);
    return this.marketData.getPrice(s, q.exchange);
  }

  @Get(':symbol/depth')
  @ApiOperation({ summary: 'Order book depth (from the market-data cache)' })
  async depth(@Param('symbol') symbol: string, @Query() q: DepthQueryDto) {
    const s = normalize(symbol);
    await this.contracts.get(s, q.exchange);
    return this.marketData.getDepth(s, q.limit, q.exchange);
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
