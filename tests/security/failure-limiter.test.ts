import { describe, expect, it } from "vitest";
import { createFailureLimiter } from "@/lib/auth/failure-limiter";
import { createClientAddress } from "@/lib/http/client-address";

describe("failure limiter", () => {
  it("allows `limit` failures in the window, then says how long to wait until the oldest ages out", () => {
    let now = 0;
    const limiter = createFailureLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    expect(limiter.fail("a")).toBe(0);
    now = 10_000;
    expect(limiter.fail("a")).toBe(0);
    now = 20_000;
    expect(limiter.fail("a")).toBe(40); // the first failure (t=0) leaves the window at t=60 s
    expect(limiter.retryAfter("b")).toBe(0);
    now = 59_500;
    expect(limiter.retryAfter("a")).toBe(1);
    now = 60_000;
    expect(limiter.retryAfter("a")).toBe(0);
    expect(limiter.fail("a")).toBe(10); // t=10 s is now the oldest of the last three
  });

  it("forgets the address that failed longest ago when it holds too many", () => {
    const limiter = createFailureLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    limiter.fail("a");
    limiter.fail("b");
    limiter.fail("c");
    expect(limiter.retryAfter("a")).toBe(0);
    expect(limiter.retryAfter("b")).toBeGreaterThan(0);
    expect(limiter.retryAfter("c")).toBeGreaterThan(0);
  });
});

describe("client address", () => {
  const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { "x-forwarded-for": xff } : {} });

  it("is the peer unless the peer is a trusted proxy", () => {
    const address = createClientAddress([]);
    expect(address(req("::ffff:10.0.0.5", "203.0.113.1"))).toBe("10.0.0.5");
    const proxied = createClientAddress(["10.0.0.0/8", "::1"]);
    expect(proxied(req("192.0.2.9", "203.0.113.1"))).toBe("192.0.2.9");
    expect(proxied(req("10.0.0.5", "203.0.113.1"))).toBe("203.0.113.1");
    expect(proxied(req("::1", "203.0.113.1"))).toBe("203.0.113.1");
  });

  it("walks X-Forwarded-For from the right past trusted hops, so a client cannot pick its own address", () => {
    const proxied = createClientAddress(["10.0.0.0/8"]);
    // The client prepended a fake address; the proxy appended the real one.
    expect(proxied(req("10.0.0.5", "198.51.100.66, 203.0.113.1"))).toBe("203.0.113.1");
    expect(proxied(req("10.0.0.5", "203.0.113.1, 10.0.0.7"))).toBe("203.0.113.1");
    expect(proxied(req("10.0.0.5", "not-an-address, 10.0.0.7"))).toBe("10.0.0.7");
    expect(proxied(req("10.0.0.5"))).toBe("10.0.0.5");
  });
});
