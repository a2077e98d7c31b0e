"use client";

import { useState } from "react";
import { sameOriginPath } from "@/lib/auth/safe-redirect";
import { ApiError, errorMessage } from "@/lib/client/api-fetch";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";

/** Exchanges the admin token for the httpOnly session cookie, then goes where the person was headed. */
export function LoginForm({ next, initialError }: { next: string; initialError: string | null }) {
  const [token, setToken] = useState("");
  const [visible, setVisible] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!token.trim()) {
      setError("Enter the admin token.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Not apiFetch: a 401 here means "wrong token", not "session expired".
      const res = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: token.trim() }),
        credentials: "same-origin",
      });
      if (res.ok) {
        // Checked again where the browser is: only a path on this origin, parsed as the browser will.
        window.location.assign(sameOriginPath(next, window.location.origin));
        return;
      }
      const body = await res.json().catch(() => null);
      throw new ApiError(res.status, body?.error?.code ?? "login_failed", res.status === 401 ? "That token is not valid." : (body?.error?.message ?? "Login failed"));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : `Could not reach the server: ${errorMessage(err)}`);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
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
