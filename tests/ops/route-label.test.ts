import { describe, expect, it } from "vitest";
import { requestArea } from "@/lib/auth/request-gate";
import { routeLabel } from "@/lib/http/route-label";

const label = (pathname: string, status = 200) => routeLabel(pathname, requestArea(pathname), status);

describe("routeLabel: a bounded set of labels for logs and metrics", () => {
  it.each([
    ["/api/tasks", "/api/tasks"],
    ["/api/tasks/daily-backup", "/api/tasks/:id"],
    ["/api/tasks/daily-backup/history", "/api/tasks/:id/history"],
    ["/api/tasks/daily-backup/revert", "/api/tasks/:id/revert"],
    ["/api/sync/conflicts/0b6f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/resolve", "/api/sync/conflicts/:id/resolve"],
    ["/api/sync/runs/0b6f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "/api/sync/runs/:id"],
    ["/api/webhooks/0b6f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/deliveries", "/api/webhooks/:id/deliveries"],
    ["/tasks/new", "/tasks/new"],
    ["/tasks/daily-backup", "/tasks/:id"],
    ["/history/0b6f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "/history/:id"],
    ["/_next/static/chunks/app-1234.js", "/_next/static"],
    ["/socket.io/", "/socket.io/"],
    ["/metrics", "/metrics"],
  ])("%s → %s", (pathname, expected) => {
    expect(label(pathname)).toBe(expected);
  });

  it("answers `unmatched` for a path that found nothing, so made-up paths cannot add labels", () => {
    expect(label("/api/no-such-route/123", 404)).toBe("unmatched");
    expect(label("/some/page/nobody/wrote", 404)).toBe("unmatched");
    expect(label("/_next/image")).toBe("unmatched");
  });
});
