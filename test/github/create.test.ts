import { createOnce } from "../../src/github/create.js";

const failing = (status: number | undefined) => () =>
  Promise.reject(Object.assign(new Error(`status ${status}`), status ? { status } : {}));

describe("createOnce", () => {
  test("an answered create is the outcome, and nothing is looked up", async () => {
    let lookups = 0;
    const made = await createOnce(
      () => Promise.resolve(7),
      () => Promise.resolve(++lookups),
    );
    expect(made).toBe(7);
    expect(lookups).toBe(0);
  });

  test.each([[500], [502], [undefined]])(
    "no answer (%s): what the create made is found instead of made again",
    async (status) => {
      await expect(createOnce(failing(status), () => Promise.resolve(42))).resolves.toBe(42);
    },
  );

  test("no answer and nothing found: the error stands, for the caller's retry", async () => {
    await expect(createOnce(failing(502), () => Promise.resolve(undefined))).rejects.toThrow(
      "status 502",
    );
  });

  test("a lookup that fails too leaves the create's error", async () => {
    await expect(createOnce(failing(502), failing(503))).rejects.toThrow("status 502");
  });

  test.each([[403], [422], [429]])("GitHub refused (%i): nothing to look for", async (status) => {
    let lookups = 0;
    await expect(createOnce(failing(status), () => Promise.resolve(++lookups))).rejects.toThrow();
    expect(lookups).toBe(0);
  });
});
