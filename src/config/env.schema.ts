/**
 * The operator's contract: every environment variable of API.md's configuration table, with its
 * default, validated once at start. A bad value stops the start with a message naming the variable.
 * Nothing else in the service reads process.env.
 */
import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number.parseInt(value, 10) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class EnvSchema {
  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR: string = './data';

  @Transform(toInt)
  @IsInt({ message: 'DB_POOL_SIZE must be an integer between 1 and 200' })
  @Min(1)
  @Max(200)
  DB_POOL_SIZE: number = 10;

  /** Unset: 2 in a single process, 1 per worker with APP_WORKERS > 1 (see AppConfig). */
  @Transform((p) => toInt({ value: emptyToUndefined(p) }))
  @IsOptional()
  @IsInt({ message: 'ORDER_WRITE_STATEMENTS must be an integer between 1 and 64' })
  @Min(1)
  @Max(64)
  ORDER_WRITE_STATEMENTS?: number = undefined;

  /** HTTP worker processes on this machine (node:cluster), each a full instance of the service. */
  @Transform(toInt)
  @IsInt({ message: 'APP_WORKERS must be an integer between 1 and 64' })
  @Min(1)
  @Max(64)
  APP_WORKERS: number = 1;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt({ message: 'JWT_EXPIRES_IN_SECONDS must be an integer between 60 and 604800' })
  @Min(60)
  @Max(604800)
  JWT_EXPIRES_IN_SECONDS: number = 3600;

  @IsString()
  @Matches(/^[a-zA-Z0-9_.-]{3,50}$/, { message: 'ADMIN_USERNAME must be 3-50 letters, digits, _ . -' })
  ADMIN_USERNAME: string = 'admin';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' })
  @MaxLength(72, { message: 'ADMIN_PASSWORD must be at most 72 characters' })
  ADMIN_PASSWORD?: string;

  @Matches(/^\d{1,12}(\.\d{1,8})?$/, { message: 'PAPER_INITIAL_BALANCE must be a non-negative decimal' })
  PAPER_INITIAL_BALANCE: string = '10000';

  @Matches(/^(synthetic|replay:.+)$/, { message: 'MARKET_FEED must be "synthetic" or "replay:<klines csv path>[,<funding csv path>]"' })
  MARKET_FEED: string = 'synthetic';

  @Transform(toInt)
  @IsInt({ message: 'MARKET_FEED_SEED must be an integer' })
  @Min(0)
  @Max(4294967295)
  MARKET_FEED_SEED: number = 42;

  @Transform(toInt)
  @IsInt({ message: 'MARKET_FEED_INTERVAL_MS must be an integer between 10 and 60000' })
  @Min(10)
  @Max(60000)
  MARKET_FEED_INTERVAL_MS: number = 250;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'MASTER_KEY must be 64 hex characters (32 bytes)' })
  MASTER_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'verbose'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, verbose',
  })
  LOG_LEVEL: string = 'info';

  @Transform(toBool)
  @IsIn([true, false], { message: 'WS_PUBLIC_MARKET_DATA must be true or false' })
  WS_PUBLIC_MARKET_DATA: boolean = false;

  @Transform(toBool)
  @IsIn([true, false], { message: 'TRUST_PROXY must be true or false' })
  TRUST_PROXY: boolean = false;

  @ValidateIf((o: EnvSchema) => o.DATABASE_URL === undefined)
  @Transform(toInt)
  @IsInt({ message: 'EMBEDDED_DB_PORT must be an integer between 0 and 65535' })
  @Min(0)
  @Max(65535)
  EMBEDDED_DB_PORT: number = 0;
}

/** The variables that must never be printed. */
export const SENSITIVE_VARIABLES = ['JWT_SECRET', 'ADMIN_PASSWORD', 'MASTER_KEY', 'DATABASE_URL', 'REDIS_URL'] as const;

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment variables:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Validates the environment; throws InvalidConfigurationError naming every bad variable. */
export function validateEnv(env: NodeJS.ProcessEnv): EnvSchema {
  const known = Object.keys(new EnvSchema());
  const input: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'REDIS_URL', 'MASTER_KEY']) {
    if (env[key] !== undefined) input[key] = env[key];
  }
  const parsed = plainToInstance(EnvSchema, input, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const problems = errors.map((e) => {
      const sensitive = (SENSITIVE_VARIABLES as readonly string[]).includes(e.property);
      const shown = sensitive ? '(hidden)' : JSON.stringify(input[e.property]);
      return `${e.property}=${shown}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new InvalidConfigurationError(problems);
  }
  if (parsed.APP_WORKERS > 1) {
    const missing = [
      ...(parsed.DATABASE_URL === undefined ? ['DATABASE_URL (a PostgreSQL server: the embedded database lives inside one process)'] : []),
      ...(parsed.REDIS_URL === undefined ? ['REDIS_URL (the workers share ticks and Socket.IO broadcasts through Redis)'] : []),
    ];
    if (missing.length > 0) throw new InvalidConfigurationError([`APP_WORKERS=${parsed.APP_WORKERS}: more than one worker needs ${missing.join(' and ')}`]);
  }
  if (parsed.DATABASE_URL !== undefined) {
    try {
      new URL(parsed.DATABASE_URL);
    } catch {
      throw new InvalidConfigurationError(['DATABASE_URL=(hidden): DATABASE_URL is not a valid URL']);
    }
  }
  return parsed;
}
