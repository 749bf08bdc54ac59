/**
 * The SSRF guard, applied where the connection is made: the connector's DNS lookup drops refused addresses
 * before any connect, and the socket's actual remote address is checked again before a request is written.
 * Because it sits in the connector, DNS rebinding cannot slip past and every redirect hop is covered.
 */
import dns, { type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { buildConnector } from 'undici';
import { undici } from '../deps/undici.js';
import { CrawlError } from '../errors.js';
import type { AddressVerdict } from './address-policy.js';

export type Policy = (address: string) => AddressVerdict;

export function blockedError(host: string, verdict: AddressVerdict): CrawlError {
  const why = verdict.allowed ? '' : ` (${verdict.reason})`;
  const where = host === verdict.address ? host : `${host} resolves to ${verdict.address}`;
  // The fix travels with the refusal: in error_detail, logs and inspect alike.
  return new CrawlError(
    'BLOCKED_PRIVATE_ADDRESS',
    `${where}${why}: non-public address refused (--allow-private allows it)`,
  );
}

/** A dns.lookup that only ever hands out allowed addresses; a name with none left fails with the first refusal. */
export function guardedLookup(policy: Policy, resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => policy(a.address).allowed);
      if (allowed.length === 0) {
        const refused = addresses.length ? policy(addresses[0].address) : null;
        const error = refused
          ? blockedError(hostname, refused)
          : Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' });
        return callback(error as NodeJS.ErrnoException, '', 0);
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      } else {
        callback(null, allowed[0].address, allowed[0].family);
      }
    });
  };
}

export interface GuardedConnectorOptions {
  policy: Policy;
  connectTimeoutMs: number;
  /** Told the remote address of each new connection, keyed by origin. */
  onConnect?: (origin: string, address: string) => void;
}

export function guardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const base = undici.buildConnector({ timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.policy) });
  return (options, callback) => {
    // IP literals never reach the lookup, so they are judged here.
    if (isIP(options.hostname)) {
      const verdict = opts.policy(options.hostname);
      if (!verdict.allowed) return callback(blockedError(options.hostname, verdict), null);
    }
    base(options, (err, socket) => {
      if (err !== null) return callback(err, null);
      const address = socket.remoteAddress ?? '';
      const verdict = opts.policy(address);
      if (!verdict.allowed) {
        socket.destroy();
        return callback(blockedError(options.hostname, verdict), null);
      }
      opts.onConnect?.(`${options.protocol}//${options.host ?? options.hostname}`, verdict.address);
      callback(null, socket);
    });
  };
}
