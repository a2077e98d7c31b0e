import { describe, expect, it } from "vitest";
import { sameOriginPath } from "@/lib/auth/safe-redirect";
import { createHostAllowlist } from "@/lib/http/host-allowlist";
import { canonicalTarget } from "@/lib/http/request-target";

describe("canonicalTarget: the one path every reader sees", () => {
  it.each([
    ["/api/tasks", "/api/tasks", ""],
    ["/api/tasks?limit=5&q=a/../b", "/api/tasks", "?limit=5&q=a/../b"],
    ["/tasks/", "/tasks/", ""],
    ["/socket.io/?EIO=4&transport=polling", "/socket.io/", "?EIO=4&transport=polling"],
    ["/_next/static/chunks/app/(dashboard)/%5Bid%5D/page-1.js", "/_next/static/chunks/app/(dashboard)/%5Bid%5D/page-1.js", ""],
    ["/tasks/caf%C3%A9", "/tasks/caf%C3%A9", ""],
  ])("keeps %s", (raw, pathname, search) => {
    expect(canonicalTarget(raw)).toEqual({ pathname, search });
  });

  it.each([
    "/socket.io/../login",
    "/login/..",
    "/a/./b",
    "/a/%2e%2e/b",
    "/a/%2E%2E/b",
    "/a/.%2e/b",
    "/a/%2e/b",
    "//api/tasks",
    "/api//tasks",
    "/api\\tasks",
    "/api/tasks;.css",
    "/api/%74asks",
    "/api/tasks%2Fdaily-backup",
    "/api/tasks%5cx",
    "/api/%25252e",
    "/api/tasks%00",
    "/api/%zz",
    "/api/%C3%28",
    "/a b",
    'http://evil.example/api/tasks',
    "*",
    "",
  ])("refuses %j", (raw) => {
    expect(canonicalTarget(raw)).toBeNull();
  });
});

describe("sameOriginPath: where the login may send the browser", () => {
  const origin = "http://localhost:3000";
  it.each([
    ["/conflicts?status=open#x", "/conflicts?status=open#x"],
    ["http://localhost:3000/history", "/history"],
    ["tasks/new", "/tasks/new"],
    [null, "/"],
    ["", "/"],
    ["/\t/evil.example/x", "/"],
    ["/\n/evil.example/x", "/"],
    ["\t//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/.//evil.example", "/"],
    ["/a/..//evil.example", "/"],
    ["//evil.example", "/"],
    ["http://localhost:3001/", "/"],
    ["https://localhost:3000/", "/"],
    ["javascript:alert(1)", "/"],
    ["data:text/html,x", "/"],
  ])("%j → %j", (next, expected) => {
    expect(sameOriginPath(next, origin)).toBe(expected);
  });
});

describe("host allowlist", () => {
  const allowlist = createHostAllowlist({
    publicUrl: "https://sync.example.org:8443/app",
    extra: ["schedule.example.com", "*.corp.example"],
    hostname: "buildbox",
    interfaces: { eth0: [{ address: "10.1.2.3", netmask: "255.0.0.0", family: "IPv4", mac: "", internal: false, cidr: "10.1.2.3/8" }] },
  });
  it.each(["localhost", "LocalHost:3000", "localhost.", "app.localhost", "127.0.0.1:80", "[::1]:3000", "buildbox", "10.1.2.3:3000", "sync.example.org", "schedule.example.com", "a.corp.example"])(
    "allows %s",
    (host) => expect(allowlist.allows(host)).toBe(true),
  );
  it.each(["evil.example", "localhost.evil.example", "corp.example", "127.0.0.2", "[::2]", "[::1", "a:b:c", "", undefined])("refuses %s", (host) =>
    expect(allowlist.allows(host)).toBe(false),
  );
  it("turns off with *", () => {
    expect(createHostAllowlist({ extra: ["*"] }).allows("evil.example")).toBe(true);
  });
});
