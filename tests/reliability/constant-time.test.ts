import fs from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * Issue #7: a wrong token is refused with a constant-time comparison. Timing a real server
 * would be noise on a shared machine, so this checks how the comparison is made: every check
 * of a token, whatever its length or shared prefix, ends in exactly one timingSafeEqual over
 * equal-length digests (no early exit that leaks the length or a prefix), and no code
 * compares the token with === anywhere else. (Session cookies are not compared at all: the
 * database is asked for the SHA-256 of the cookie's secret, issue #14.)
 */
const spy = vi.hoisted(() => ({ calls: [] as [number, number][] }));
vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      spy.calls.push([a.byteLength, b.byteLength]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const { safeEqual } = await import("@/lib/auth/credentials");
const { createAuthenticator } = await import("@/lib/auth/authenticate");
const TOKEN = "correct-horse-battery-staple-0123456789";

describe("token comparison", () => {
  beforeEach(() => {
    spy.calls.length = 0;
  });

  it.each([
    ["the token", TOKEN, true],
    ["an empty string", "", false],
    ["one character", "c", false],
    ["a long prefix", TOKEN.slice(0, -1), false],
    ["the last character changed", `${TOKEN.slice(0, -1)}X`, false],
    ["the first character changed", `X${TOKEN.slice(1)}`, false],
    ["a suffix added", `${TOKEN}0`, false],
    ["10 KiB of garbage", "z".repeat(10_240), false],
  ])("compares %s in one timingSafeEqual over equal-length digests", async (_, given, ok) => {
    const auth = createAuthenticator({ adminToken: TOKEN, sessions: { find: async () => null } });
    expect(safeEqual(given, TOKEN)).toBe(ok);
    expect((await auth.authenticate({ authorization: `Bearer ${given}` })).outcome).toBe(ok ? "authenticated" : "refused");
    expect(auth.isAdminToken(given)).toBe(ok);
    expect(spy.calls.length).toBe(3);
    for (const [a, b] of spy.calls) expect(a).toBe(b);
  });

  it("no code compares the admin token with == or !=", async () => {
    const offenders: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "generated" && entry.name !== "client") await walk(full);
        } else if (/\.tsx?$/.test(entry.name)) {
          const source = await fs.readFile(full, "utf8");
          for (const [line, text] of source.split("\n").entries()) {
            if (/(token|adminToken|session)\w*\s*[!=]==?\s*\w|[!=]==?\s*(\w+\.)*(token|adminToken)\b/i.test(text) && !/typeof|\.length|[!=]== null|[!=]== undefined|tokens?\s*===\s*"/.test(text)) {
              offenders.push(`${path.relative(process.cwd(), full)}:${line + 1}: ${text.trim()}`);
            }
          }
        }
      }
    };
    await walk(path.resolve(import.meta.dirname, "../../lib"));
    await walk(path.resolve(import.meta.dirname, "../../app"));
    expect(offenders).toEqual([]);
  });
});
