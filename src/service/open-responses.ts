// HTTP responses the process has not finished yet, seen through Node's diagnostics channel
// (Probot keeps its HTTP server to itself). On shutdown each one is told to close its
// connection once sent: a keep-alive connection would otherwise hold the closing server
// open for its keep-alive timeout after the last webhook was answered.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ServerResponse } from "node:http";

const REQUEST_START = "http.server.request.start";

export class OpenResponses {
  readonly #open = new Set<ServerResponse>();
  #closing = false;

  readonly #onStart = (message: unknown): void => {
    const response = (message as { response?: ServerResponse }).response;
    if (!response) return;
    this.#open.add(response);
    response.once("close", () => this.#open.delete(response));
    if (this.#closing) closeAfterSending(response);
  };

  /** Starts watching; returns how to stop. */
  watch(): () => void {
    subscribe(REQUEST_START, this.#onStart);
    return () => unsubscribe(REQUEST_START, this.#onStart);
  }

  /** From now on, every response closes its connection once sent. */
  closeConnections(): void {
    this.#closing = true;
    for (const response of this.#open) closeAfterSending(response);
  }

  get size(): number {
    return this.#open.size;
  }
}

function closeAfterSending(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader("connection", "close");
}
