// A write whose body is decided from a read made as the write leaves: the read comes first,
// with the write's headers; a decision against the write sends nothing; a failed read
// answers for the write.
import { jest } from "@jest/globals";
import { readThenWrite } from "../../src/github/read-then-write.js";

const URL = "https://api.github.com/repos/acme/shop/issues/comments/1";
const HEADERS = { authorization: "token t", "content-type": "application/json" };

function github(read: Response) {
  const seen: { method: string; headers: unknown; body?: unknown }[] = [];
  const send: typeof fetch = async (_url, init) => {
    seen.push({ method: init?.method ?? "GET", headers: init?.headers, body: init?.body });
    return init?.method === "GET" ? read : Response.json({ id: 1 });
  };
  return { seen, send };
}

test("reads with the write's headers, then sends the body decided from what it read", async () => {
  const { seen, send } = github(Response.json({ body: "saved by bob" }));
  const fetch = readThenWrite(
    (current) => ({ body: `${(current as { body: string }).body}, rewritten` }),
    send,
  );
  const answer = await fetch(URL, { method: "PATCH", headers: HEADERS, body: "{}" });
  expect(answer.status).toBe(200);
  expect(seen).toEqual([
    { method: "GET", headers: HEADERS, body: undefined },
    {
      method: "PATCH",
      headers: HEADERS,
      body: JSON.stringify({ body: "saved by bob, rewritten" }),
    },
  ]);
});

test("a write decided against sends nothing", async () => {
  const { seen, send } = github(Response.json({ body: "saved by bob" }));
  const answer = await readThenWrite(() => null, send)(URL, { method: "PATCH", headers: HEADERS });
  expect(answer.status).toBe(204);
  expect(seen.map((request) => request.method)).toEqual(["GET"]);
});

test("a read GitHub refuses answers for the write: a deleted comment is a 404", async () => {
  const { seen, send } = github(Response.json({ message: "Not Found" }, { status: 404 }));
  const decide = jest.fn(() => ({ body: "x" }));
  const answer = await readThenWrite(decide, send)(URL, { method: "PATCH", headers: HEADERS });
  expect(answer.status).toBe(404);
  expect(decide).not.toHaveBeenCalled();
  expect(seen.map((request) => request.method)).toEqual(["GET"]);
});
