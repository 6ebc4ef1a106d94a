import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsDecimalString } from '../../common/http/validation';

const SIDES = ['LONG', 'SHORT', 'BUY', 'SELL'] as const;

export class OtherPositionDto {
  @ApiProperty({ example: 'ETHUSDT' })
  @IsString()
  @Matches(/^[A-Z0-9_-]{2,50}$/, { message: 'symbol must be an exchange symbol such as BTCUSDT' })
  symbol: string;

  @ApiProperty({ enum: SIDES })
  @IsIn(SIDES)
  side: (typeof SIDES)[number];

  @ApiProperty({ example: '1.5' })
  @IsDecimalString()
  size: string;

  @ApiProperty({ example: '3000' })
  @IsDecimalString()
  entryPrice: string;

  @ApiProperty({ example: '3100' })
  @IsDecimalString()
  markPrice: string;

  @ApiPropertyOptional({ example: '0.005' })
  @IsOptional()
  @IsDecimalString({ positive: false, maxDecimals: 10 })
  maintenanceMarginRate?: string;

  @ApiPropertyOptional({ example: '0' })
  @IsOptional()
  @IsDecimalString({ positive: false })
  maintenanceAmount?: string;
}

/** API.md: the exchange calculator; no account needed. */
export class CalculatorDto {
  @ApiProperty({ enum: SIDES, description: 'LONG/BUY or SHORT/SELL' })
  @IsIn(SIDES)
  side: (typeof SIDES)[number];

  @ApiPropertyOptional({ enum: ['BOTH', 'LONG', 'SHORT'] })
  @IsOptional()
  @IsIn(['BOTH', 'LONG', 'SHORT'])
  positionSide?: 'BOTH' | 'LONG' | 'SHORT';

  @ApiProperty({ enum: ['isolated', 'cross'] })
  @IsIn(['isolated', 'cross'])
  marginMode: 'isolated' | 'cross';

  @ApiProperty({ example: 10, minimum: 1, maximum: 125 })
  @IsInt()
  @Min(1)
  @Max(125)
  leverage: number;

  @ApiProperty({ example: '0.5', description: 'contracts (BTC for BTCUSDT; 100-USD contracts for BTCUSD_PERP)' })
  @IsDecimalString()
  quantity: string;

  @ApiProperty({ example: '60000' })
  @IsDecimalString()
  entryPrice: string;

  @ApiPropertyOptional({ example: '61000' })
  @IsOptional()
  @IsDecimalString()
  exitPrice?: string;

  @ApiPropertyOptional({ example: '60500' })
  @IsOptional()
  @IsDecimalString()
  markPrice?: string;

  @ApiPropertyOptional({ description: 'cross: the account wallet balance; isolated: the position margin (default: the initial margin)' })
  @IsOptional()
  @IsDecimalString()
  walletBalance?: string;

  @ApiPropertyOptional({ type: [OtherPositionDto], description: 'cross: the account\'s positions in other contracts' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OtherPositionDto)
  otherPositions?: OtherPositionDto[];

  @ApiPropertyOptional({ description: 'what-if: overrides the bracket\'s maintenance margin rate' })
  @IsOptional()
  @IsDecimalString({ positive: false, maxDecimals: 10 })
  maintenanceMarginRate?: string;

  @ApiPropertyOptional({ description: 'what-if: overrides the bracket\'s maintenance amount' })
  @IsOptional()
  @IsDecimalString({ positive: false })
  maintenanceAmount?: string;
}

export class ContractListQueryDto {
  @ApiPropertyOptional({ enum: ['paper', 'binance', 'okx'] })
  @IsOptional()
  @IsIn(['paper', 'binance', 'okx'])
  exchange?: string;

  @ApiPropertyOptional({ enum: ['perpetual', 'delivery'] })
  @IsOptional()
  @IsIn(['perpetual', 'delivery'])
  contractType?: 'perpetual' | 'delivery';

  @ApiPropertyOptional({ example: 'USDT' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{2,20}$/)
  marginAsset?: string;
}

export class ExchangeQueryDto {
  @ApiPropertyOptional({ enum: ['paper', 'binance', 'okx'] })
  @IsOptional()
  @IsIn(['paper', 'binance', 'okx'])
  exchange?: string;
}
