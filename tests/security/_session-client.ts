import { io as connectSocket, type Socket } from "socket.io-client";
import { TEST_TOKEN, type AppProcess } from "../_support/app-process";

/** Logs in through the login form's endpoint; returns the cookie as `name=secret`. */
export async function login(app: AppProcess, token = TEST_TOKEN): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: { origin: new URL(app.url).origin, "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** The status of GET `pathname` with only this cookie. */
export async function statusWith(app: AppProcess, cookie: string, pathname = "/api/tasks"): Promise<number> {
  const res = await fetch(`${app.url}${pathname}`, { headers: { cookie }, redirect: "manual" });
  await res.arrayBuffer();
  return res.status;
}

export async function logout(app: AppProcess, cookie: string): Promise<number> {
  const res = await fetch(`${app.url}/api/auth/logout`, { method: "POST", headers: { cookie, origin: new URL(app.url).origin } });
  await res.arrayBuffer();
  return res.status;
}

/** A Socket.IO client on this cookie; resolves once connected, rejects when refused. */
export async function socketWith(app: AppProcess, cookie: string): Promise<Socket> {
  const socket = connectSocket(app.url, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie, origin: new URL(app.url).origin } });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns how long it took, or null. */
export async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  return null;
}
