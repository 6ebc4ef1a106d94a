import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { IsDecimalString } from '../../common/http/validation';
import { PageQueryDto } from '../../common/http/pagination.dto';

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
export const ORDER_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;

export class PlaceOrderDto {
  @ApiPropertyOptional({ description: 'exchange account id (default: your paper account)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  accountId?: number;

  @ApiProperty({ example: 'BTCUSDT' })
  @IsString()
  @Matches(/^[A-Z0-9_-]{2,50}$/, { message: 'symbol must be an exchange symbol such as BTCUSDT' })
  symbol: string;

  @ApiProperty({ enum: ['BUY', 'SELL'] })
  @IsIn(['BUY', 'SELL'])
  side: 'BUY' | 'SELL';

  @ApiPropertyOptional({ enum: ['BOTH', 'LONG', 'SHORT'], description: 'BOTH in one-way mode; LONG or SHORT in hedge mode' })
  @IsOptional()
  @IsIn(['BOTH', 'LONG', 'SHORT'])
  positionSide?: 'BOTH' | 'LONG' | 'SHORT';

  @ApiProperty({ enum: ORDER_TYPES })
  @IsIn(ORDER_TYPES)
  type: (typeof ORDER_TYPES)[number];

  @ApiPropertyOptional({ example: '0.010', description: 'contracts; required unless closePosition' })
  @IsOptional()
  @IsDecimalString()
  quantity?: string;

  @ApiPropertyOptional({ example: '60000.10' })
  @IsOptional()
  @IsDecimalString()
  price?: string;

  @ApiPropertyOptional({ example: '59000' })
  @IsOptional()
  @IsDecimalString()
  stopPrice?: string;

  @ApiPropertyOptional({ enum: TIME_IN_FORCE })
  @IsOptional()
  @IsIn(TIME_IN_FORCE)
  timeInForce?: (typeof TIME_IN_FORCE)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  reduceOnly?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  closePosition?: boolean;

  @ApiPropertyOptional({ example: 'my-order-1', description: 'idempotency key: the same id again answers the first order' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,36}$/, { message: 'clientOrderId must be 1-36 letters, digits, . _ : -' })
  clientOrderId?: string;

  @ApiPropertyOptional({ example: '1', description: 'trailing stop callback, percent (0.1 to 10)' })
  @IsOptional()
  @IsDecimalString({ maxDecimals: 2, max: '10' })
  callbackRate?: string;

  @ApiPropertyOptional({ example: '61000', description: 'trailing stop activation price' })
  @IsOptional()
  @IsDecimalString()
  activationPrice?: string;

  @ApiPropertyOptional({ enum: ['MARK_PRICE', 'CONTRACT_PRICE'] })
  @IsOptional()
  @IsIn(['MARK_PRICE', 'CONTRACT_PRICE'])
  workingType?: 'MARK_PRICE' | 'CONTRACT_PRICE';
}

export class AccountQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  accountId?: number;
}

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Z0-9_-]{2,50}$/)
  symbol?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: (typeof ORDER_STATUSES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  accountId?: number;
}

export class CancelAllQueryDto extends AccountQueryDto {
  @ApiProperty()
  @Matches(/^[A-Z0-9_-]{2,50}$/, { message: 'symbol is required, e.g. ?symbol=BTCUSDT' })
  symbol: string;
}

export class ListTradesQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Z0-9_-]{2,50}$/)
  symbol?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  accountId?: number;
}
