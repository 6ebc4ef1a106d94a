import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsDecimalString } from '../../common/http/validation';
import { PageQueryDto } from '../../common/http/pagination.dto';

const SYMBOL = /^[A-Z0-9_-]{2,50}$/;

class AccountBody {
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  accountId?: number;
}

export class SetLeverageDto extends AccountBody {
  @ApiProperty({ example: 'BTCUSDT' })
  @Matches(SYMBOL, { message: 'symbol must be an exchange symbol such as BTCUSDT' })
  symbol: string;

  @ApiProperty({ example: 10, minimum: 1, maximum: 125 })
  @IsInt()
  @Min(1)
  @Max(125)
  leverage: number;
}

export class SetMarginModeDto extends AccountBody {
  @ApiProperty({ example: 'BTCUSDT' })
  @Matches(SYMBOL, { message: 'symbol must be an exchange symbol such as BTCUSDT' })
  symbol: string;

  @ApiProperty({ enum: ['isolated', 'cross'] })
  @IsIn(['isolated', 'cross'])
  marginMode: 'isolated' | 'cross';
}

export class SetPositionModeDto extends AccountBody {
  @ApiProperty({ description: 'true: hedge mode; false: one-way mode' })
  @IsBoolean()
  dualSidePosition: boolean;
}

export class ModifyMarginDto extends AccountBody {
  @ApiProperty({ example: '100' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ enum: ['ADD', 'REDUCE'] })
  @IsIn(['ADD', 'REDUCE'])
  type: 'ADD' | 'REDUCE';

  @ApiPropertyOptional({ enum: ['BOTH', 'LONG', 'SHORT'] })
  @IsOptional()
  @IsIn(['BOTH', 'LONG', 'SHORT'])
  positionSide?: 'BOTH' | 'LONG' | 'SHORT';
}

export class LedgerQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SYMBOL)
  symbol?: string;

  @ApiPropertyOptional({ enum: ['TRANSFER', 'REALIZED_PNL', 'COMMISSION', 'FUNDING_FEE', 'INSURANCE_CLEAR', 'DELIVERY'] })
  @IsOptional()
  @IsIn(['TRANSFER', 'REALIZED_PNL', 'COMMISSION', 'FUNDING_FEE', 'INSURANCE_CLEAR', 'DELIVERY'])
  type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  accountId?: number;
}

export class PaperDepositDto {
  @ApiProperty({ example: 'USDT' })
  @IsIn(['USDT', 'BTC', 'ETH'])
  asset: string;

  @ApiProperty({ example: '1000' })
  @IsDecimalString()
  amount: string;
}

export class RiskLimitsDto {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(125)
  maxLeverage?: number | null;

  @ApiPropertyOptional({ nullable: true, example: '50000' })
  @IsOptional()
  @IsDecimalString()
  maxOrderNotional?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '200000' })
  @IsOptional()
  @IsDecimalString()
  maxPositionNotional?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxDailyTrades?: number | null;

  @ApiPropertyOptional({ nullable: true, example: '10', description: 'percent' })
  @IsOptional()
  @IsDecimalString({ max: '100', maxDecimals: 4 })
  forcedStopLossPct?: string | null;
}
