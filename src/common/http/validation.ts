/**
 * Request validation: one global ValidationPipe (whitelist, forbidNonWhitelisted, transform) whose
 * failures become a ValidationError with one detail per field, and the decimal-string validator
 * for prices and quantities.
 *
 * A body type on a hot route may register a fast path: a plain check of the common well-formed
 * body that answers the same instance class-validator and class-transformer would, without running
 * them. It accepts a subset of what the full validation accepts (anything unusual, and every
 * invalid body, goes through the full validation, which alone words the errors), so an answer or
 * a refusal is the same either way.
 */
import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { dec, isDecimalString } from '../decimal';
import { ValidationError, type ErrorDetail } from '../errors';

function flatten(errors: ClassValidatorError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      out.push({
        field,
        code: rule === 'whitelistValidation' ? 'UNKNOWN_FIELD' : rule.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
        message: rule === 'whitelistValidation' ? `property ${field} is not allowed` : message,
      });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * A body type's fast path: the validated instance for a body it is sure of, else undefined (the
 * full validation then decides). It must never accept what the full validation refuses, nor answer
 * another instance than it would.
 */
export type FastValidator<T extends object> = (value: unknown) => T | undefined;

const fastValidators = new Map<abstract new () => object, FastValidator<object>>();

/** Registers `type`'s fast path (see FastValidator), used for request bodies of that type. */
export function registerFastValidator<T extends object>(type: new () => T, check: FastValidator<T>): void {
  fastValidators.set(type, check);
}

class RequestValidationPipe extends ValidationPipe {
  constructor(private readonly fastPaths: boolean) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => {
        const details = flatten(errors);
        return new ValidationError('VALIDATION_FAILED', `Invalid request: ${details.map((d) => d.message).join('; ')}`, details);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.fastPaths && metadata.type === 'body' && metadata.metatype) {
      const fast = fastValidators.get(metadata.metatype as abstract new () => object)?.(value);
      if (fast !== undefined) return fast;
    }
    return super.transform(value, metadata);
  }
}

/** The app's validation pipe; `fastPaths: false` always runs the full validation (to compare). */
export function createValidationPipe(options: { fastPaths?: boolean } = {}): ValidationPipe {
  return new RequestValidationPipe(options.fastPaths ?? true);
}

export interface DecimalStringOptions {
  /** Require > 0 (default true). */
  positive?: boolean;
  /** Allow 0 (only when positive is false). */
  allowNegative?: boolean;
  /** Maximum digits after the point (default 8, the DECIMAL(20,8) columns). */
  maxDecimals?: number;
  /** Maximum absolute value (default 10^12). */
  max?: string;
}

/**
 * A decimal string such as "43250.10": no exponent, no float. A JSON number is refused, so a price
 * never passes through binary floating point on its way in.
 */
export function IsDecimalString(options: DecimalStringOptions = {}, validationOptions?: ValidationOptions) {
  const positive = options.positive ?? true;
  const maxDecimals = options.maxDecimals ?? 8;
  const max = dec(options.max ?? '1000000000000');
  const validate = decimalStringCheck(options);
  return function (object: object, propertyName: string) {
    registerDecorator({
      name: 'isDecimalString',
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate,
        defaultMessage() {
          const sign = positive ? 'a positive' : options.allowNegative ? 'a' : 'a non-negative';
          return `${propertyName} must be ${sign} decimal string (e.g. "1.5") with at most ${maxDecimals} decimals and at most ${max.toFixed()}`;
        },
      },
    });
  };
}

/** IsDecimalString's test of a value, for fast paths to apply the very same rule. */
export function decimalStringCheck(options: DecimalStringOptions = {}): (value: unknown) => boolean {
  const positive = options.positive ?? true;
  const maxDecimals = options.maxDecimals ?? 8;
  const max = dec(options.max ?? '1000000000000');
  return (value) => {
    if (!isDecimalString(value)) return false;
    const d = dec(value);
    if (positive && d.lte(0)) return false;
    if (!positive && !options.allowNegative && d.lt(0)) return false;
    if (d.abs().gt(max)) return false;
    const frac = value.split('.')[1];
    return frac === undefined || frac.length <= maxDecimals;
  };
}
