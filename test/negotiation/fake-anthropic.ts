/**
 * A local stand-in for the Anthropic Messages API (POST /v1/messages) that the real
 * @anthropic-ai/sdk talks to through `baseURL`. Each request is answered by the next scripted
 * reply (or a function of the request); every request body is recorded for privacy assertions.
 * A tool reply answers with the tool the request forced (tool_choice.name).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Recorded {
  body: {
    model: string;
    system: { type: string; text: string; cache_control?: { type: string } }[];
    tools: { name: string; strict?: boolean }[];
    tool_choice: { type: string; name?: string };
    messages: { role: string; content: string }[];
  };
  raw: string;
  role: "buyer" | "seller";
}

export type Reply =
  | { kind: "tool"; input: Record<string, unknown>; stopReason?: string }
  | { kind: "text"; text: string; stopReason?: string }
  | { kind: "status"; status: number; retryAfterMs?: number }
  /** The connection is cut before any answer (a network error for the client). */
  | { kind: "drop" }
  | { kind: "hang" };

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export type Script = (req: Recorded, n: number) => Reply;

export async function startFakeAnthropic(script: Script) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const body = JSON.parse(raw) as Recorded["body"];
      const role = body.system[0]?.text.includes("on behalf of its BUYER") ? "buyer" : "seller";
      const rec = { body, raw, role } as Recorded;
      requests.push(rec);
      const reply = script(rec, requests.length);
      if (reply.kind === "hang") return; // never answers: the client's timeout must fire
      if (reply.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (reply.kind === "status") {
        res.writeHead(reply.status, {
          "content-type": "application/json",
          ...(reply.retryAfterMs === undefined ? {} : { "retry-after-ms": String(reply.retryAfterMs) }),
        });
        res.end(
          JSON.stringify({
            type: "error",
            error: { type: ERROR_TYPES[reply.status] ?? "api_error", message: "scripted" },
          }),
        );
        return;
      }
      const content =
        reply.kind === "tool"
          ? [
              {
                type: "tool_use",
                id: `toolu_${requests.length}`,
                name: body.tool_choice.name ?? "make_move",
                input: reply.input,
              },
            ]
          : [{ type: "text", text: reply.text }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `msg_${requests.length}`,
          type: "message",
          role: "assistant",
          model: body.model,
          content,
          stop_reason: reply.stopReason ?? (reply.kind === "tool" ? "tool_use" : "end_turn"),
          stop_sequence: null,
          usage: {
            input_tokens: 100,
            output_tokens: 20,
            cache_creation_input_tokens: requests.length === 1 ? 50 : 0,
            cache_read_input_tokens: requests.length === 1 ? 0 : 50,
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
