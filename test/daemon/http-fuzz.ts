/**
 * Raw-socket request fuzzing for the oracle's HTTP API: hand-written malformed requests (request
 * lines, targets, headers, methods, bodies) and seeded random ones, each written to its own TCP
 * connection. The caller checks the server afterwards (GET /health, the process alive).
 */
import { connect } from "node:net";
import { prng } from "../../scripts/lib/fault-proxy.ts";

const CRLF = "\r\n";

export const HAND_WRITTEN: (string | Buffer)[] = [
  `GET //[ HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`,
  `GET http://[ HTTP/1.1${CRLF}${CRLF}`,
  `GET //[::1 HTTP/1.1${CRLF}${CRLF}`,
  `GET /%zz HTTP/1.1${CRLF}${CRLF}`,
  `GET /deals/%00/transcript HTTP/1.1${CRLF}${CRLF}`,
  `GET /auth/challenge?address=0x${"a".repeat(40)}&dealId=${"9".repeat(15_000)} HTTP/1.1${CRLF}${CRLF}`,
  `GET /auth/challenge?address=%ZZ&dealId=%ZZ&dealId=1 HTTP/1.1${CRLF}${CRLF}`,
  `GET /deals/${"1".repeat(79)} HTTP/1.1${CRLF}${CRLF}`,
  Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  `GET / HTTP/1.1${CRLF}Host: a${CRLF}Host: b${CRLF}${CRLF}`,
  `GET / HTTP/1.1${CRLF}Content-Length: 5${CRLF}Content-Length: 6${CRLF}${CRLF}hello`,
  `GET / HTTP/1.1${CRLF}Content-Length: -1${CRLF}${CRLF}`,
  `GET / HTTP/1.1${CRLF}Content-Length: abc${CRLF}${CRLF}`,
  `GET / HTTP/1.1${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}zz${CRLF}`,
  `GET /health HTTP/1.1${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}${"ffff" + CRLF + "a".repeat(70_000)}`,
  `GET / HTTP/1.1${CRLF}X: ${"a".repeat(100_000)}${CRLF}${CRLF}`,
  `GET / HTTP/1.1${CRLF}${"X-a: b\r\n".repeat(3000)}${CRLF}`,
  `POST /health HTTP/1.1${CRLF}Content-Length: 99999999${CRLF}${CRLF}${"x".repeat(50_000)}`,
  `DELETE /deals/1 HTTP/1.1${CRLF}${CRLF}`,
  `BREW /coffee HTCPCP/1.0${CRLF}${CRLF}`,
  `GET /deals/1/transcript HTTP/1.1${CRLF}x-dealproof-message: %%%${CRLF}x-dealproof-signature: zz${CRLF}${CRLF}`,
  `GET /deals/1/transcript HTTP/1.1${CRLF}x-dealproof-message: ${Buffer.from("x wants you to sign in\nNonce: 0123456789abcdef0123456789abcdef").toString("base64")}${CRLF}x-dealproof-signature: 0x00${CRLF}${CRLF}`,
  `OPTIONS * HTTP/1.1${CRLF}Origin: null${CRLF}${CRLF}`,
  `GET * HTTP/1.1${CRLF}${CRLF}`,
  `CONNECT x:443 HTTP/1.1${CRLF}${CRLF}`,
  `GET /health HTTP/1.0${CRLF}${CRLF}`,
  `GET /${CRLF}${CRLF}`,
  Buffer.concat([
    Buffer.from("GET /"),
    Buffer.from([0xff, 0xfe, 0x00]),
    Buffer.from(` HTTP/1.1${CRLF}${CRLF}`),
  ]),
  `GET /health HTTP/1.1${CRLF}X-\u0000: y${CRLF}${CRLF}`,
  `GET /attestation?nonce=${"zz".repeat(100)} HTTP/1.1${CRLF}${CRLF}`,
  `GET /health HTTP/1.1${CRLF}Origin: ${"o".repeat(5000)}${CRLF}${CRLF}`,
  `GET /health HTTP/1.1${CRLF}Expect: 100-continue${CRLF}Content-Length: 10${CRLF}${CRLF}`,
  `GET /health HTTP/1.1${CRLF}Upgrade: websocket${CRLF}Connection: Upgrade${CRLF}${CRLF}`,
  `${"GET /health HTTP/1.1\r\n\r\n".repeat(200)}`,
];

const METHODS = ["GET", "POST", "PUT", "OPTIONS", "HEAD", "PATCH", "G\0T", "get", "", "GET GET", "Ü"];
const TARGETS = [
  "/",
  "//[",
  "/health",
  "/deals/",
  "/deals/1",
  "/deals/1/transcript",
  "/auth/challenge?",
  "*",
  "http://a:b@[::1]:99999/",
  "/%",
  "/..%2f..%2f",
  "?",
];

/** `n` random requests from a seeded generator. */
export function randomRequests(n: number, seed = 7): Buffer[] {
  const r = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const bytes = (len: number) => Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.2) {
      out.push(bytes(1 + Math.floor(r() * 2000)));
      continue;
    }
    let target = pick(TARGETS);
    if (r() < 0.5) target += bytes(Math.floor(r() * 40)).toString("latin1");
    if (target.startsWith("/auth"))
      target += `address=0x${"b".repeat(Math.floor(r() * 45))}&dealId=${"7".repeat(Math.floor(r() * 120))}`;
    const headers: string[] = [];
    const nh = Math.floor(r() * 6);
    for (let h = 0; h < nh; h++) {
      const name = pick([
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Origin",
        "x-dealproof-message",
        "x-dealproof-signature",
        bytes(6).toString("latin1"),
      ]);
      const value = pick([
        String(Math.floor(r() * 1e9) - 5e8),
        "chunked",
        "https://dapp.example",
        bytes(Math.floor(r() * 300)).toString("latin1"),
        "",
      ]);
      headers.push(`${name}: ${value}`);
    }
    const head = `${pick(METHODS)} ${target} ${pick(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/9.9", ""])}\r\n${headers.join("\r\n")}\r\n\r\n`;
    out.push(
      Buffer.concat([
        Buffer.from(head, "latin1"),
        r() < 0.3 ? bytes(Math.floor(r() * 5000)) : Buffer.alloc(0),
      ]),
    );
  }
  return out;
}

/** Writes one request on its own connection and waits for the server to close it (or 300 ms). */
function throwAt(port: number, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const s = connect(port, "127.0.0.1", () => s.write(data, () => undefined));
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(got.slice(0, 12));
    };
    const t = setTimeout(done, 300);
    s.on("data", (c: Buffer) => (got += c.toString("latin1")));
    s.on("close", done);
    s.on("error", done);
  });
}

/** Throws every request, `parallel` at a time. */
export async function fuzz(port: number, requests: (string | Buffer)[], parallel = 16): Promise<number> {
  let i = 0;
  const worker = async () => {
    while (i < requests.length) await throwAt(port, requests[i++]!);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return requests.length;
}
