/**
 * A local stand-in for the Anthropic Messages API (POST /v1/messages) that the real
 * @anthropic-ai/sdk talks to through `baseURL`, for the tests and bench:fleet. Each request is
 * answered by the next scripted reply (or a function of the request), after `latencyMs()` when
 * given (a model's think time); every request body is recorded for privacy assertions. A tool reply
 * answers with the tool the request forced (tool_choice.name). `agreeable` is a model that finds
 * every offer a good fit and writes one note per round.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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
  /** `name`: the tool called (default: the one tool_choice forced). */
  | { kind: "tool"; input: Record<string, unknown>; stopReason?: string; name?: string }
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

/** A judgement of a good fit on the demo scenarios' full, one-year terms. */
export const judgeGood: Reply = {
  kind: "tool",
  name: "judge",
  input: { fit: "good", accessScope: "full", durationDays: 365, message: "" },
};

/** The rounds a write request asks for ("…for each of your rounds: 1, 2, 3."). */
export const roundsAsked = (content: string) =>
  (/each of your rounds: ([\d, ]+)\./.exec(content)?.[1] ?? "").split(", ").filter(Boolean).map(Number);

/** Judges every offer good and writes `text(round)` for each round it is asked about. */
const writer =
  (text: (round: number) => string): Script =>
  (req) =>
    req.body.tool_choice.name !== "write_messages"
      ? judgeGood
      : {
          kind: "tool",
          input: {
            messages: roundsAsked(req.body.messages[0]!.content).map((round) => ({
              round,
              text: text(round),
            })),
          },
        };

/** A model that agrees to the demo scenarios' deals. */
export const agreeable: Script = writer(() => "Verified data, fairly described; noted.");

export async function startFakeAnthropic(script: Script, opts: { latencyMs?: () => number } = {}) {
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
      const n = requests.length;
      const reply = script(rec, n);
      const wait = opts.latencyMs?.() ?? 0;
      if (wait > 0) setTimeout(() => answer(req, res, body, reply, n), wait);
      else answer(req, res, body, reply, n);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Sends `reply` as the answer to the `n`th request. */
function answer(req: IncomingMessage, res: ServerResponse, body: Recorded["body"], reply: Reply, n: number) {
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
            id: `toolu_${n}`,
            name: reply.name ?? body.tool_choice.name ?? "make_move",
            input: reply.input,
          },
        ]
      : [{ type: "text", text: reply.text }];
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: `msg_${n}`,
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: reply.stopReason ?? (reply.kind === "tool" ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: n === 1 ? 50 : 0,
        cache_read_input_tokens: n === 1 ? 0 : 50,
      },
    }),
  );
}
