import http from "node:http";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given: fetch, curl (without --path-as-is) and `new URL` would resolve `..` and `//` first. */
  target: string;
  headers?: Record<string, string>;
  body?: string;
  /** The local address to connect from: another loopback address (127.0.0.2) is another client. */
  localAddress?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** The servers listen on 127.0.0.1 only, and "localhost" may resolve to ::1 first. */
const connectHost = (url: URL) => (url.hostname === "localhost" ? "127.0.0.1" : url.hostname);

/** One HTTP request with the request target untouched. */
export function rawRequest(base: string, { method = "GET", target, headers = {}, body, localAddress }: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: connectHost(url),
        port: url.port,
        method,
        path: target,
        headers: { ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}), ...headers },
        // A fresh connection per client address; keep-alive otherwise (thousands of requests).
        agent: localAddress ? false : agent,
        localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export interface UpgradeOutcome {
  /** 101 when the server switched protocols. */
  status: number;
  headers: http.IncomingHttpHeaders;
}

/** A WebSocket upgrade request with the target untouched; resolves with the status the server answered. */
export function rawUpgrade(base: string, target: string, headers: Record<string, string> = {}): Promise<UpgradeOutcome> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: connectHost(url),
      port: url.port,
      path: target,
      agent: false,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The server may simply hang up on a refused upgrade.
      if (error.code === "ECONNRESET" || error.message.includes("socket hang up")) resolve({ status: 0, headers: {} });
      else reject(error);
    });
    req.end();
  });
}
