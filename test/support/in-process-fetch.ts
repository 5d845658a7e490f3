// A fetch that hands each request to an http request listener in this process, with no
// socket: what the app reaches the ServiceNow and Jira stand-ins with in tests that load nock
// (nock 15.0 on Node 20 fails the fetch POSTs and PATCHes it lets through to the network; see
// test/support/webhook-receiver.ts). The listener sees a request with method, url, headers
// and body, and answers through writeHead and end, which is all the stand-ins use.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export function inProcessFetch(listener: RequestListener): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = Buffer.from(await request.arrayBuffer());
    const incoming = Object.assign(Readable.from(body.length > 0 ? [body] : []), {
      method: request.method,
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
    }) as unknown as IncomingMessage;
    return new Promise<Response>((resolve) => {
      let status = 200;
      let headers: Record<string, string> = {};
      const response = {
        writeHead(code: number, given: Record<string, string> = {}) {
          status = code;
          headers = given;
          return response;
        },
        end(chunk?: string | Buffer) {
          resolve(new Response(chunk ?? null, { status, headers }));
          return response;
        },
      } as unknown as ServerResponse;
      listener(incoming, response);
    });
  };
}
