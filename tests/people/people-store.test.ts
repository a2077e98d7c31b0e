import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/create-database";
import { hashPassword, verifyPassword } from "@/lib/people/password";
import { createPeopleStore, type PeopleStore } from "@/lib/people/people-store";
import { DB_KINDS, openTestDatabase } from "../_support/databases";

describe("passwords", () => {
  it("hashes with scrypt and a salt of its own, and verifies only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe.each(DB_KINDS)("people store on %s", (kind) => {
  let database: { db: Database; drop(): Promise<void> };
  let people: PeopleStore;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    people = createPeopleStore({ db: database.db, touchSeconds: 0 });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("adds users with a role, lower-cases their names and refuses a second one of the same name", async () => {
    const alice = await people.addUser({ username: "Alice", role: "admin", password: "alice-password-1" });
    expect(alice).toMatchObject({ username: "alice", role: "admin", source: "local", hasPassword: true, lastLoginAt: null });
    await people.addUser({ username: "bob", role: "viewer" });
    await expect(people.addUser({ username: "ALICE", role: "viewer" })).rejects.toMatchObject({ code: "user_exists" });
    await expect(people.addUser({ username: " no spaces", role: "viewer" })).rejects.toThrow();
    expect((await people.listUsers()).map((u) => [u.username, u.role])).toEqual([
      ["alice", "admin"],
      ["bob", "viewer"],
    ]);
    // The hash never leaves the store.
    expect(JSON.stringify(await people.listUsers())).not.toContain("scrypt");
  });

  it("checks passwords, and a user without one never signs in by password", async () => {
    expect((await people.checkPassword("ALICE", "alice-password-1"))?.username).toBe("alice");
    expect(await people.checkPassword("alice", "alice-password-2")).toBeNull();
    expect(await people.checkPassword("bob", "")).toBeNull();
    expect(await people.checkPassword("nobody", "alice-password-1")).toBeNull();
    const bob = await people.updateUser("bob", { password: "bob-password-12", role: "editor" });
    expect(bob).toMatchObject({ role: "editor", hasPassword: true });
    expect((await people.checkPassword("bob", "bob-password-12"))?.role).toBe("editor");
  });

  it("keeps one admin user: the last one can be neither demoted nor removed", async () => {
    await expect(people.updateUser("alice", { role: "viewer" })).rejects.toMatchObject({ code: "last_admin" });
    await expect(people.removeUser("alice")).rejects.toMatchObject({ code: "last_admin" });
    await expect(people.removeUser("nobody")).rejects.toMatchObject({ code: "user_not_found" });
  });

  it("creates a user on first sight once, however many requests race", async () => {
    const seen = await Promise.all(Array.from({ length: 5 }, () => people.userOnFirstSight({ username: "carol@example.com", role: "viewer", source: "proxy" })));
    expect(new Set(seen.map((u) => u.id)).size).toBe(1);
    expect(seen[0]).toMatchObject({ username: "carol@example.com", source: "proxy", hasPassword: false });
  });

  it("counts a request through the auth proxy as its user's sign-in, written at most every touchSeconds", async () => {
    const [row] = await database.db.query<{ at: Date | string | null }>(`SELECT last_login_at AS at FROM users WHERE username = 'carol@example.com'`);
    expect(row!.at).not.toBeNull();
    const throttled = createPeopleStore({ db: database.db, touchSeconds: 3600 });
    await database.db.query(`UPDATE users SET last_login_at = now() - interval '2 hours' WHERE username = 'carol@example.com'`);
    const first = await throttled.userOnFirstSight({ username: "carol@example.com", role: "viewer", source: "proxy" });
    const stamped = (await people.listUsers()).find((u) => u.username === "carol@example.com")!.lastLoginAt!;
    expect(Date.now() - Date.parse(stamped)).toBeLessThan(60_000);
    expect(first.lastLoginAt).not.toBeNull();
    // Within the hour, more requests write nothing.
    await throttled.userOnFirstSight({ username: "carol@example.com", role: "viewer", source: "proxy" });
    expect((await people.listUsers()).find((u) => u.username === "carol@example.com")!.lastLoginAt).toBe(stamped);
    // OIDC's first sight is not a sign-in by itself: its callback records one.
    const oidcUser = await people.userOnFirstSight({ username: "oidc-first-sight", role: "viewer", source: "oidc" });
    expect(oidcUser.lastLoginAt).toBeNull();
  });

  it("shows a token once, stores only its hash, and finds it until it is revoked or expires", async () => {
    const { token, secret } = await people.createToken({ name: "ci-deploy", role: "editor", createdBy: "alice" });
    expect(secret).toMatch(/^ssk_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: "ci-deploy", role: "editor", revokedAt: null, lastUsedAt: null, createdBy: "alice" });
    expect(secret.startsWith(token.prefix)).toBe(true);
    const [row] = await database.db.query<{ token_hash: string }>(`SELECT token_hash FROM api_tokens WHERE name = 'ci-deploy'`);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await database.db.query(`SELECT * FROM api_tokens`))).not.toContain(secret.slice(4));

    const found = await people.findToken(secret);
    expect(found).toMatchObject({ name: "ci-deploy", role: "editor" });
    expect(found!.lastUsedAt).not.toBeNull();
    expect((await people.listTokens())[0]!.lastUsedAt).not.toBeNull();
    expect(await people.findToken(secret + "x")).toBeNull();
    expect(await people.findToken("not-a-token")).toBeNull();
    await expect(people.createToken({ name: "ci-deploy", role: "viewer" })).rejects.toMatchObject({ code: "token_exists" });

    expect((await people.revokeToken("ci-deploy")).revokedAt).not.toBeNull();
    expect(await people.findToken(secret)).toBeNull();
    await expect(people.revokeToken("nope")).rejects.toMatchObject({ code: "token_not_found" });

    const expired = await people.createToken({ name: "short", role: "viewer", expiresAt: new Date(Date.now() - 1000) });
    expect(await people.findToken(expired.secret)).toBeNull();
    const later = await people.createToken({ name: "later", role: "viewer", expiresAt: new Date(Date.now() + 60_000) });
    expect(await people.findToken(later.secret)).not.toBeNull();
    // What open sockets are checked against: live tokens and existing users.
    const alice = (await people.findUser("alice"))!;
    const valid = await people.stillValid({ tokenIds: [token.id, expired.token.id, later.token.id], userIds: [alice.id, "00000000-0000-4000-8000-000000000000"] });
    expect([...valid].sort()).toEqual([later.token.id, alice.id].sort());
  });

  it("reuses a live token for a second at most: a revocation elsewhere holds within it, one here at once", async () => {
    const here = createPeopleStore({ db: database.db });
    const elsewhere = createPeopleStore({ db: database.db });
    const { secret } = await here.createToken({ name: "cached", role: "viewer" });
    expect(await here.findToken(secret)).not.toBeNull();
    await elsewhere.revokeToken("cached");
    const started = performance.now();
    while ((await here.findToken(secret)) !== null) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(performance.now() - started).toBeLessThan(1_500);
    const again = await here.createToken({ name: "cached-2", role: "viewer" });
    expect(await here.findToken(again.secret)).not.toBeNull();
    await here.revokeToken("cached-2");
    expect(await here.findToken(again.secret)).toBeNull();
  });

  it("removes a user with their sessions and tokens", async () => {
    const dave = await people.addUser({ username: "dave", role: "editor", password: "dave-password-1" });
    const { secret } = await people.createToken({ name: "daves-script", role: "editor", userId: dave.id });
    await database.db.query(`INSERT INTO sessions (id, secret_hash, credential, user_id) VALUES (gen_random_uuid(), 'h-dave', 'password', $1)`, [dave.id]);
    await people.removeUser("dave");
    expect(await people.findUser("dave")).toBeNull();
    expect(await people.findToken(secret)).toBeNull();
    expect(await database.db.query(`SELECT 1 FROM sessions WHERE user_id = $1`, [dave.id])).toEqual([]);
  });
});
