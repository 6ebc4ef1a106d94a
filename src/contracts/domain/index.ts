/** The pure contract-math core: no Nest, no TypeORM, no I/O. */
export * from './contract-spec';
export * from './brackets';
export * from './rounding';
export * from './calculator';
export * from './order-checks';
export * from './hot-path';
export * from './paper-contracts';
