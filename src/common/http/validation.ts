/**
 * Request validation: one global ValidationPipe (whitelist, forbidNonWhitelisted, transform) whose
 * failures become a ValidationError with one detail per field, and the decimal-string validator
 * for prices and quantities.
 */
import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
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

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
  return function (object: object, propertyName: string) {
    registerDecorator({
      name: 'isDecimalString',
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate(value: unknown) {
          if (!isDecimalString(value)) return false;
          const d = dec(value);
          if (positive && d.lte(0)) return false;
          if (!positive && !options.allowNegative && d.lt(0)) return false;
          if (d.abs().gt(max)) return false;
          const frac = value.split('.')[1];
          return frac === undefined || frac.length <= maxDecimals;
        },
        defaultMessage() {
          const sign = positive ? 'a positive' : options.allowNegative ? 'a' : 'a non-negative';
          return `${propertyName} must be ${sign} decimal string (e.g. "1.5") with at most ${maxDecimals} decimals and at most ${max.toFixed()}`;
        },
      },
    });
  };
}
