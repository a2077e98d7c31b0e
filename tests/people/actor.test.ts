import { describe, expect, it } from "vitest";
import { actorOf } from "@/lib/auth/principal";
import { actor, actorLabel, actorOfTrigger, changeActorLabel, parseActorFilter } from "@/lib/people/actor";

describe("actors", () => {
  it.each([
    [actor("user", "alice", "u1"), "api", "alice in the dashboard"],
    [actor("user", "alice", "u1"), "cli", "alice from the command line"],
    [actor("token", "ci", "t1"), "manual", "token ci through the API"],
    [actor("admin_token"), "api", "admin token"],
    [actor("file"), "watch", "hand edit of the file"],
    [actor("cron"), "cron", "cron"],
    [actor("system", "startup"), "startup", "start-up sync"],
    [actor("system", "converge"), "converge", "follow-up sync"],
    [actor("cli", "ops"), "cli", "ops (command line)"],
  ])("names %j (%s) as %j", (who, trigger, label) => {
    expect(actorLabel(who, trigger)).toBe(label);
  });

  it("gives rows without an actor the one their trigger implies: a person's were the admin token's", () => {
    expect(actorLabel(null, "api")).toBe("admin token");
    expect(actorLabel(null, "resolve")).toBe("admin token");
    expect(actorLabel(null, "watch")).toBe("hand edit of the file");
    expect(actorOfTrigger("cron")).toEqual({ kind: "cron", name: null, id: null });
  });

  it("calls what the server's own run carried from the file into the database a hand edit", () => {
    expect(changeActorLabel({ actor: actor("system", "startup"), trigger: "startup", side: "db" })).toBe("hand edit of the file");
    expect(changeActorLabel({ actor: actor("system", "startup"), trigger: "startup", side: "yaml" })).toBe("start-up sync");
    expect(changeActorLabel({ actor: null, trigger: "api", side: "db" })).toBe("admin token");
  });

  it("reads the history filter as a kind, a name, or both", () => {
    expect(parseActorFilter("alice")).toEqual({ kind: null, name: "alice" });
    expect(parseActorFilter("token:ci")).toEqual({ kind: "token", name: "ci" });
    expect(parseActorFilter("file")).toEqual({ kind: "file", name: null });
    expect(parseActorFilter("user:bob@example.com")).toEqual({ kind: "user", name: "bob@example.com" });
    expect(parseActorFilter("nobody:x")).toEqual({ kind: null, name: "nobody:x" });
  });

  it("makes a principal's actor: the admin token's session stays the admin token", () => {
    expect(actorOf({ kind: "admin_token", role: "admin" })).toEqual(actor("admin_token"));
    expect(actorOf({ kind: "session", role: "admin", sessionId: "s", credential: "admin_token", userId: null, username: null })).toEqual(actor("admin_token"));
    expect(actorOf({ kind: "session", role: "editor", sessionId: "s", credential: "password", userId: "u", username: "alice" })).toEqual(actor("user", "alice", "u"));
    expect(actorOf({ kind: "token", role: "editor", tokenId: "t", name: "ci", userId: null })).toEqual(actor("token", "ci", "t"));
    expect(actorOf({ kind: "proxy", role: "viewer", userId: "u2", username: "carol@example.com" })).toEqual(actor("user", "carol@example.com", "u2"));
  });
});
