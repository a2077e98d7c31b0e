import os from "node:os";

export interface HostAllowlist {
  /** Whether a request's Host header names this server. */
  allows(hostHeader: string | undefined): boolean;
  /** ALLOWED_HOSTS=* : every Host is accepted. */
  open: boolean;
}

export interface HostAllowlistOptions {
  publicUrl?: string;
  /** ALLOWED_HOSTS: exact names or `*.example.com`; `*` turns the check off. */
  extra?: readonly string[];
  interfaces?: ReturnType<typeof os.networkInterfaces>;
  hostname?: string;
}

/**
 * The names this server answers to, like Jupyter's `local_hostnames`: localhost (and
 * `*.localhost`, which browsers resolve to loopback themselves), the machine's name and
 * addresses, PUBLIC_URL's host and ALLOWED_HOSTS. A page on a name that DNS rebinding points at
 * this machine sends that name as Host, which is not on the list.
 */
export function createHostAllowlist(options: HostAllowlistOptions = {}): HostAllowlist {
  const extra = options.extra ?? [];
  if (extra.includes("*")) return { open: true, allows: () => true };
  const exact = new Set(["localhost", "127.0.0.1", "::1"]);
  const suffixes = [".localhost"];
  const hostname = options.hostname ?? os.hostname();
  if (hostname) exact.add(hostname.toLowerCase());
  for (const addresses of Object.values(options.interfaces ?? os.networkInterfaces())) {
    for (const address of addresses ?? []) exact.add(address.address.toLowerCase().replace(/%.*$/, ""));
  }
  if (options.publicUrl) exact.add(hostOnly(new URL(options.publicUrl).host)!);
  for (const entry of extra) {
    if (entry.startsWith("*.")) suffixes.push(entry.slice(1));
    else exact.add(hostOnly(entry) ?? entry);
  }
  return {
    open: false,
    allows(hostHeader) {
      const host = hostOnly(hostHeader ?? "");
      return host !== null && (exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length));
    },
  };
}

/** `Example.COM.:8080` → `example.com`, `[::1]:3000` → `::1`; null when it is not a host. */
function hostOnly(value: string): string | null {
  const text = value.trim().toLowerCase();
  if (text === "") return null;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    const rest = text.slice(end + 1);
    return end > 1 && (rest === "" || /^:\d+$/.test(rest)) ? text.slice(1, end) : null;
  }
  const match = /^([^:]+)(?::\d+)?$/.exec(text);
  return match ? match[1]!.replace(/\.$/, "") : null;
}
