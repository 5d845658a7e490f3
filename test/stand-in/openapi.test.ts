import { OpenApi } from "./openapi.js";

const api = OpenApi.load();

describe("route matching", () => {
  it.each([
    [
      "GET",
      "/repos/acme/shop/pulls/7",
      "pulls/get",
      { owner: "acme", repo: "shop", pull_number: "7" },
    ],
    [
      "GET",
      "/repos/acme/shop/pulls/comments",
      "pulls/list-review-comments-for-repo",
      { owner: "acme", repo: "shop" },
    ],
    [
      "GET",
      "/repos/acme/shop/contents/.github%2Frelease-policy.yml",
      "repos/get-content",
      { path: ".github/release-policy.yml" },
    ],
    [
      "GET",
      "/repos/acme/shop/contents/.github/release-policy.yml",
      "repos/get-content",
      { path: ".github/release-policy.yml" },
    ],
    [
      "GET",
      "/repos/acme/shop/git/ref/heads%2Ffeature%2Fx",
      "git/get-ref",
      { ref: "heads/feature/x" },
    ],
    [
      "GET",
      "/repos/acme/shop/compare/v1.0...feature%2Fx",
      "repos/compare-commits",
      { base: "v1.0", head: "feature/x" },
    ],
    ["GET", "/repos/acme/shop/commits/main/check-runs", "checks/list-for-ref", { ref: "main" }],
    [
      "POST",
      "/repos/acme/shop/actions/runs/12/deployment_protection_rule",
      "actions/review-custom-gates-for-run",
      { run_id: "12" },
    ],
    ["GET", "/app", "apps/get-authenticated", {}],
  ])("%s %s → %s", (method, path, operationId, params) => {
    const match = api.match(method, path);
    expect(match.kind).toBe("operation");
    if (match.kind !== "operation") return;
    expect(match.operation.operationId).toBe(operationId);
    expect(match.params).toEqual(expect.objectContaining(params));
  });

  it.each([
    ["GET", "/repos/acme/shop/pullz", "no-route"],
    ["GET", "/repos/acme/shop/pulls/7/extra/segments", "no-route"],
    ["PUT", "/repos/acme/shop/pulls/7", "wrong-method"],
    ["GET", "/repos/acme/shop/contents/%E0%A4%A", "no-route"],
  ])("%s %s is %s", (method, path, kind) => {
    expect(api.match(method, path).kind).toBe(kind);
  });
});

describe("request and response checks", () => {
  const operation = (method: string, path: string) => {
    const match = api.match(method, path);
    if (match.kind !== "operation") throw new Error(`no operation for ${method} ${path}`);
    return match;
  };

  it.each([
    [{ environment_name: "production", state: "approved" }, []],
    [{ environment_name: "production", comment: "waiting" }, []],
    [{ environment_name: "production" }, [/must have required property/]],
    [{ environment_name: "production", state: "approve" }, [/allowed values/]],
    [
      { environment_name: "production", comment: "x", enviroment: "typo" },
      [/unknown property "enviroment"/],
    ],
  ])("protection rule body %j", (body, expected) => {
    const { operation: op } = operation(
      "POST",
      "/repos/a/b/actions/runs/1/deployment_protection_rule",
    );
    const problems = api.checkBody(op, body);
    if (expected.length === 0) expect(problems).toEqual([]);
    for (const pattern of expected) expect(problems.join("\n")).toMatch(pattern);
  });

  it("requires a body where GitHub does and refuses one where it takes none", () => {
    expect(api.checkBody(operation("POST", "/repos/a/b/check-runs").operation, undefined)).toEqual([
      "a JSON request body is required",
    ]);
    expect(api.checkBody(operation("GET", "/repos/a/b/pulls/1").operation, { x: 1 })).toEqual([
      "pulls/get takes no request body",
    ]);
  });

  it("checks query parameters: types, enums, unknown names", () => {
    const { operation: op, params } = operation("GET", "/repos/a/b/pulls");
    expect(api.checkParameters(op, params, new URLSearchParams("state=all&per_page=100"))).toEqual(
      [],
    );
    expect(api.checkParameters(op, params, new URLSearchParams("per_page=many"))).toEqual([
      'query parameter "per_page" must be an integer, got "many"',
    ]);
  });

  it("catches an answer that lacks fields GitHub documents", () => {
    const { operation: op } = operation("GET", "/repos/a/b/issues/comments/1");
    expect(api.checkResponse(op, 200, { id: 1 }).join("\n")).toMatch(
      /must have required property 'node_id'/,
    );
  });
});
