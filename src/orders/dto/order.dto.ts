import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { decimalStringCheck, IsDecimalString, registerFastValidator, type DecimalStringOptions } from '../../common/http/validation';
import { PageQueryDto } from '../../common/http/pagination.dto';

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
export const ORDER_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
const SIDES = ['BUY', 'SELL'] as const;
const POSITION_SIDES = ['BOTH', 'LONG', 'SHORT'] as const;
const WORKING_TYPES = ['MARK_PRICE', 'CONTRACT_PRICE'] as const;
const SYMBOL_RE = /^[A-Z0-9_-]{2,50}$/;
const CLIENT_ORDER_ID_RE = /^[A-Za-z0-9._:-]{1,36}$/;
const CALLBACK_RATE: DecimalStringOptions = { maxDecimals: 2, max: '10' };

export class PlaceOrderDto {
  @ApiPropertyOptional({ description: 'exchange account id (default: your paper account)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  accountId?: number;

  @ApiProperty({ example: 'BTCUSDT' })
  @IsString()
  @Matches(SYMBOL_RE, { message: 'symbol must be an exchange symbol such as BTCUSDT' })
  symbol: string;

  @ApiProperty({ enum: SIDES })
  @IsIn(SIDES)
  side: (typeof SIDES)[number];

  @ApiPropertyOptional({ enum: POSITION_SIDES, description: 'BOTH in one-way mode; LONG or SHORT in hedge mode' })
  @IsOptional()
  @IsIn(POSITION_SIDES)
  positionSide?: (typeof POSITION_SIDES)[number];

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
  @Matches(CLIENT_ORDER_ID_RE, { message: 'clientOrderId must be 1-36 letters, digits, . _ : -' })
  clientOrderId?: string;

  @ApiPropertyOptional({ example: '1', description: 'trailing stop callback, percent (0.1 to 10)' })
  @IsOptional()
  @IsDecimalString(CALLBACK_RATE)
  callbackRate?: string;

  @ApiPropertyOptional({ example: '61000', description: 'trailing stop activation price' })
  @IsOptional()
  @IsDecimalString()
  activationPrice?: string;

  @ApiPropertyOptional({ enum: WORKING_TYPES })
  @IsOptional()
  @IsIn(WORKING_TYPES)
  workingType?: (typeof WORKING_TYPES)[number];
}

/**
 * The order body's fast path (see registerFastValidator): each field's rule as its decorators above
 * state it. A body with anything else — a missing required field, an unknown or null field, a
 * value the rule refuses, a non-plain object — goes through the full validation.
 */
const oneOf = (allowed: readonly string[]) => (v: unknown) => typeof v === 'string' && allowed.includes(v);
const decimal = decimalStringCheck();
const PLACE_ORDER_FIELDS: { readonly [K in keyof PlaceOrderDto]-?: (v: unknown) => boolean } = {
  accountId: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  symbol: (v) => typeof v === 'string' && SYMBOL_RE.test(v),
  side: oneOf(SIDES),
  positionSide: oneOf(POSITION_SIDES),
  type: oneOf(ORDER_TYPES),
  quantity: decimal,
  price: decimal,
  stopPrice: decimal,
  timeInForce: oneOf(TIME_IN_FORCE),
  reduceOnly: (v) => typeof v === 'boolean',
  closePosition: (v) => typeof v === 'boolean',
  clientOrderId: (v) => typeof v === 'string' && CLIENT_ORDER_ID_RE.test(v),
  callbackRate: decimalStringCheck(CALLBACK_RATE),
  activationPrice: decimal,
  workingType: oneOf(WORKING_TYPES),
};
const PLACE_ORDER_REQUIRED = ['symbol', 'side', 'type'] as const;

export function placeOrderFastPath(value: unknown): PlaceOrderDto | undefined {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const body = value as Record<string, unknown>;
  for (const key of PLACE_ORDER_REQUIRED) if (!Object.hasOwn(body, key)) return undefined;
  const dto = new PlaceOrderDto() as unknown as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(PLACE_ORDER_FIELDS, key)) return undefined;
    const v = body[key];
    if (v === undefined || v === null || !PLACE_ORDER_FIELDS[key as keyof PlaceOrderDto](v)) return undefined;
    dto[key] = v;
  }
  return dto as unknown as PlaceOrderDto;
}
registerFastValidator(PlaceOrderDto, placeOrderFastPath);

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
