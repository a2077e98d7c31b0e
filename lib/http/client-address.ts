import net from "node:net";

export interface AddressedRequest {
  socket: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The client's address, for rate limiting and logs. X-Forwarded-For is read only when the peer
 * is one of TRUSTED_PROXIES (anyone else could send a new one with every attempt), walking it
 * from the right past the trusted hops: the first address not ours is the client.
 */
export function createClientAddress(trustedProxies: readonly string[]): (req: AddressedRequest) => string {
  const trusted = new net.BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split("/") as [string, string | undefined];
    const type = net.isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(bits), type);
  }
  const isTrusted = (address: string) => net.isIP(address) !== 0 && trusted.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");

  return (req) => {
    const peer = plainAddress(req.socket.remoteAddress ?? "");
    if (trustedProxies.length === 0 || !isTrusted(peer)) return peer;
    const header = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((hop) => plainAddress(hop.trim())).filter(Boolean);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (net.isIP(hop) === 0) break; // not an address: stop at the last hop we could trust
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) as `127.0.0.1`. */
function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
