/**
 * What instances of one cluster share: the Redis server that carries Socket.IO broadcasts and ticks,
 * and the name that keeps this cluster's Redis channels and feed leadership apart from another
 * cluster's on the same Redis server and database (tests running in parallel, staging beside
 * production). The name is `contract-desk` unless REDIS_URL carries `?prefix=<name>`; the parameter
 * is removed before the URL reaches the Redis client. The URL may hold a password: never log it.
 */
import { ValidationError } from '../common/errors';
import type { AppConfig } from '../config/app-config';

export const DEFAULT_CLUSTER_PREFIX = 'contract-desk';
const PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface ClusterOptions {
  /** The Redis URL without our `prefix` parameter; undefined: one instance, no Redis. */
  redisUrl: string | undefined;
  /** Prefix of every Redis channel and key, and the name of the feed leadership. */
  prefix: string;
}

export function clusterOptions(config: Pick<AppConfig, 'redisUrl'>): ClusterOptions {
  if (!config.redisUrl) return { redisUrl: undefined, prefix: DEFAULT_CLUSTER_PREFIX };
  const url = new URL(config.redisUrl);
  const prefix = url.searchParams.get('prefix') ?? DEFAULT_CLUSTER_PREFIX;
  if (!PREFIX_RE.test(prefix)) {
    throw new ValidationError('INVALID_REDIS_PREFIX', 'REDIS_URL prefix must be 1-64 letters, digits, _ . : -');
  }
  url.searchParams.delete('prefix');
  return { redisUrl: url.toString(), prefix };
}

export const CLUSTER_OPTIONS = Symbol('CLUSTER_OPTIONS');
