"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import type { ApiToken, User } from "@/lib/people/people-store";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { inputClass } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";

const ROLES = ["viewer", "editor", "admin"] as const;
const ROLE_HINT = { viewer: "reads everything", editor: "edits tasks, resolves conflicts", admin: "also people, tokens, forced syncs" } as const;

function RoleOptions() {
  return ROLES.map((r) => (
    <option key={r} value={r}>
      {r}
    </option>
  ));
}

/** The "Role" field of the add-user and create-token forms. */
function RoleField({ value, onChange }: { value: (typeof ROLES)[number]; onChange: (role: (typeof ROLES)[number]) => void }) {
  return (
    <label className="text-xs font-semibold text-slate-700">
      Role
      <select value={value} onChange={(e) => onChange(e.target.value as (typeof ROLES)[number])} className={inputClass(false, "mt-1 w-32")}>
        <RoleOptions />
      </select>
    </label>
  );
}

function useAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** Users: add one (with an optional password), change a role, remove one. */
export function UsersAdmin({ users }: { users: User[] }) {
  const { error, busy, run } = useAction();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("viewer");
  const [password, setPassword] = useState("");
  return (
    <div className="space-y-4">
      <form
        aria-label="Add a user"
        className="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await apiFetch("/api/users", { json: { username, role, ...(password ? { password } : {}) } });
            setUsername("");
            setPassword("");
          });
        }}
      >
        <label className="text-xs font-semibold text-slate-700">
          Username
          <input value={username} onChange={(e) => setUsername(e.target.value)} required autoCapitalize="none" spellCheck={false} className={inputClass(false, "mt-1 w-56")} />
        </label>
        <RoleField value={role} onChange={setRole} />
        <label className="text-xs font-semibold text-slate-700">
          Password (optional, 10+ characters)
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} className={inputClass(false, "mt-1 w-56")} />
        </label>
        <Button type="submit" variant="primary" disabled={busy}>
          Add user
        </Button>
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {users.length === 0 ? (
        <p className="text-sm text-slate-600">No users yet: the admin token is the only admin. People who come through the auth proxy or OIDC appear here on first sign-in.</p>
      ) : (
        <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="users-table">
          <caption className="sr-only">Users</caption>
          <thead>
            <tr className="text-left text-xs text-slate-600">
              <th className="py-1">User</th>
              <th>Role</th>
              <th>Signs in by</th>
              <th>Last sign-in</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className="border-t border-slate-200">
                <td className="py-1.5 font-medium">{user.username}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.username}`}
                    value={user.role}
                    disabled={busy}
                    onChange={(e) => void run(async () => void (await apiFetch(`/api/users/${encodeURIComponent(user.username)}`, { method: "PATCH", json: { role: e.target.value } })))}
                    className={inputClass(false, "w-28 py-1")}
                    title={ROLE_HINT[user.role]}
                  >
                    <RoleOptions />
                  </select>
                </td>
                <td>{user.source === "local" ? (user.hasPassword ? "password" : "no password set") : user.source === "proxy" ? "auth proxy" : "OIDC"}</td>
                <td>{user.lastLoginAt ? <RelativeTime iso={user.lastLoginAt} /> : "never"}</td>
                <td className="text-right">
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm(`Remove ${user.username}? Their sessions and tokens end now.`)) void run(async () => void (await apiFetch(`/api/users/${encodeURIComponent(user.username)}`, { method: "DELETE" })));
                    }}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}

/** Named API tokens: create one (its secret shown once), revoke one. */
export function TokensAdmin({ tokens }: { tokens: ApiToken[] }) {
  const { error, busy, run } = useAction();
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("editor");
  const [days, setDays] = useState("");
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  return (
    <div className="space-y-4">
      <form
        aria-label="Create a token"
        className="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const result = await apiFetch<{ token: ApiToken; secret: string }>("/api/tokens", { json: { name, role, ...(days ? { expiresInDays: Number(days) } : {}) } });
            setCreated({ name: result.token.name, secret: result.secret });
            setName("");
          });
        }}
      >
        <label className="text-xs font-semibold text-slate-700">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci-deploy" spellCheck={false} className={inputClass(false, "mt-1 w-56")} />
        </label>
        <RoleField value={role} onChange={setRole} />
        <label className="text-xs font-semibold text-slate-700">
          Expires in days (empty: never)
          <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value.replace(/\D/g, ""))} className={inputClass(false, "mt-1 w-28")} />
        </label>
        <Button type="submit" variant="primary" disabled={busy}>
          Create token
        </Button>
      </form>
      {created && (
        <Notice tone="success" title={`Token ${created.name} created`} actions={<CopyButton text={created.secret} label="Copy token" />}>
          <p>This is the only time it is shown; the server keeps only its hash.</p>
          <code data-testid="new-token-secret" className="mt-1 block font-mono text-xs break-all">
            {created.secret}
          </code>
        </Notice>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {tokens.length === 0 ? (
        <p className="text-sm text-slate-600">No named tokens yet.</p>
      ) : (
        <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="tokens-table">
          <caption className="sr-only">API tokens</caption>
          <thead>
            <tr className="text-left text-xs text-slate-600">
              <th className="py-1">Token</th>
              <th>Role</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} className={`border-t border-slate-200 ${token.revokedAt ? "text-slate-500" : ""}`}>
                <td className="py-1.5">
                  <span className="font-medium">{token.name}</span> <code className="font-mono text-xs">{token.prefix}…</code>
                  {token.createdBy && <span className="block text-xs text-slate-500">by {token.createdBy}</span>}
                </td>
                <td>{token.role}</td>
                <td>{token.lastUsedAt ? <RelativeTime iso={token.lastUsedAt} /> : "never"}</td>
                <td>{token.revokedAt ? "revoked" : token.expiresAt ? <RelativeTime iso={token.expiresAt} /> : "never"}</td>
                <td className="text-right">
                  {!token.revokedAt && (
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={busy}
                      onClick={() => {
                        if (window.confirm(`Revoke ${token.name}? Whatever uses it is refused from now on.`)) void run(async () => void (await apiFetch(`/api/tokens/${encodeURIComponent(token.name)}`, { method: "DELETE" })));
                      }}
                    >
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}
