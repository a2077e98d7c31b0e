import { createHmac, randomBytes } from "node:crypto";
import net from "node:net";
import { firstValue } from "../http/header-value";
import type { Role } from "../people/roles";
import { safeEqual, type CredentialSource } from "./credentials";

export interface AuthProxyConfig {
  /** The header that names the user (lower-case), e.g. x-forwarded-email. */
  header: string;
  /** Addresses or CIDR ranges of the proxies allowed to set it. */
  trusted: readonly string[];
  /** The role of a user created on first sight. */
  defaultRole: Role;
}

/** Set by the front door on a request whose proxy header it vouches for; never taken from outside. */
export const PROXY_ATTESTATION_HEADER = "x-schedule-sync-proxy-attestation";

export interface AuthProxy {
  readonly header: string;
  readonly defaultRole: Role;
  /**
   * The front door, before anything reads the request: drops the proxy header (and any
   * attestation) unless the request's direct peer is a trusted proxy, and stamps what it kept with
   * an HMAC under this process's secret. Route handlers and the Socket.IO server cannot see the
   * peer's address; the stamp is how they know the header came through a trusted peer.
   */
  vouch(req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } }): void;
  /** The user the proxy names on a request the front door vouched for, or null. */
  named(headers: CredentialSource): string | null;
}

/**
 * The trusted auth proxy (oauth2-proxy, Tailscale serve, a company SSO gateway), like Grafana's
 * auth proxy: the header names the user, and only requests whose direct peer is one of
 * AUTH_PROXY_TRUSTED may carry it.
 */
export function createAuthProxy(config: AuthProxyConfig, secret: Buffer = randomBytes(32)): AuthProxy {
  const trusted = new net.BlockList();
  for (const entry of config.trusted) {
    const [address, bits] = entry.split("/") as [string, string | undefined];
    const type = net.isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(bits), type);
  }
  const plain = (address: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address);
  const isTrusted = (address: string) => net.isIP(address) !== 0 && trusted.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");
  const stamp = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");
  const header = config.header.toLowerCase();
  return {
    header,
    defaultRole: config.defaultRole,
    vouch(req) {
      delete req.headers[PROXY_ATTESTATION_HEADER];
      const value = firstValue(req.headers[header])?.trim();
      if (!value || !isTrusted(plain(req.socket.remoteAddress ?? ""))) {
        delete req.headers[header];
        return;
      }
      req.headers[PROXY_ATTESTATION_HEADER] = stamp(value);
    },
    named(headers) {
      const value = firstValue(headers[header] ?? undefined)?.trim();
      const attestation = firstValue(headers[PROXY_ATTESTATION_HEADER] ?? undefined);
      if (!value || !attestation || !safeEqual(attestation, stamp(value))) return null;
      return value;
    },
  };
}
