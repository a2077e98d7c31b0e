"use client";

import { useState } from "react";
import { sameOriginPath } from "@/lib/auth/safe-redirect";
import { ApiError, errorMessage } from "@/lib/client/api-fetch";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";

/**
 * Exchanges the admin token, or a person's username and password (issue #18), for the httpOnly
 * session cookie, then goes where the person was headed.
 */
export function LoginForm({ next, initialError }: { next: string; initialError: string | null }) {
  const [mode, setMode] = useState<"token" | "password">("token");
  const [token, setToken] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [visible, setVisible] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (mode === "token" ? !token.trim() : !username.trim() || !password) {
      setError(mode === "token" ? "Enter the admin token." : "Enter your username and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Not apiFetch: a 401 here means "wrong token", not "session expired".
      const res = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(mode === "token" ? { token: token.trim() } : { username: username.trim(), password }),
        credentials: "same-origin",
      });
      if (res.ok) {
        // Checked again where the browser is: only a path on this origin, parsed as the browser will.
        window.location.assign(sameOriginPath(next, window.location.origin));
        return;
      }
      const body = await res.json().catch(() => null);
      throw new ApiError(res.status, body?.error?.code ?? "login_failed", res.status === 401 ? (mode === "token" ? "That token is not valid." : "Wrong username or password.") : (body?.error?.message ?? "Login failed"));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : `Could not reach the server: ${errorMessage(err)}`);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <div role="group" aria-label="Sign in with" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 text-sm">
        {(
          [
            ["token", "Admin token"],
            ["password", "Username and password"],
          ] as const
        ).map(([value, label]) => (
          <button
            key={value}
            type="button"
            aria-pressed={mode === value}
            onClick={() => {
              setMode(value);
              setError(null);
            }}
            className={`rounded px-2.5 py-1 font-medium ${mode === value ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === "password" ? (
        <>
          <div>
            <label htmlFor="username" className="mb-1 block text-sm font-medium">
              Username
            </label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={error ? true : undefined}
              className={inputClass(Boolean(error))}
            />
          </div>
          <div>
            <label htmlFor="password" className="mb-1 block text-sm font-medium">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "token-error" : undefined}
              className={inputClass(Boolean(error))}
            />
          </div>
        </>
      ) : (
      <div>
        <label htmlFor="token" className="mb-1 block text-sm font-medium">
          Admin token
        </label>
        <div className="flex gap-2">
          <input
            id="token"
            name="token"
            type={visible ? "text" : "password"}
            autoComplete="current-password"
            autoFocus
            required
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "token-error" : undefined}
            className={inputClass(Boolean(error), "font-mono")}
          />
          <Button onClick={() => setVisible((v) => !v)} aria-pressed={visible} aria-controls="token">
            {visible ? "Hide" : "Show"}
          </Button>
        </div>
      </div>
      )}
      {error && (
        <p id="token-error" role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={busy} className="w-full">
        {busy ? <Spinner label="Checking…" /> : "Log in"}
      </Button>
    </form>
  );
}
