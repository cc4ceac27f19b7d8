// A real groupql server for the tests: dev mode, in-memory store, a free port.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
const venvBin = join(repoRoot, ".venv", process.platform === "win32" ? "Scripts" : "bin");
export const groupqlBin = join(venvBin, "groupql");
const python = join(venvBin, "python");

const START_TIMEOUT_MS = 15_000;

// Rate limits are off: one test posts continuously and logs in again and again from 127.0.0.1.
const TEST_SETTINGS = {
  GROUPQL_WECHAT_MODE: "dev",
  GROUPQL_MONGODB_URL: "memory://",
  GROUPQL_RATE_LOGINS_PER_MIN: "0",
  GROUPQL_RATE_ANONYMOUS_PER_MIN: "0",
  GROUPQL_RATE_WRITES_PER_MIN: "0",
  GROUPQL_RATE_SUBSCRIBES_PER_MIN: "0",
};

/** The environment groupql's commands see for this server (its settings, for `dev share-ticket`). */
export function serverEnv(server) {
  return { ...process.env, ...(server?.settings ?? TEST_SETTINGS) };
}

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function waitForHealth(url, child, output) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`groupql exited with ${child.exitCode} at start:\n${output.join("")}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`groupql did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${output.join("")}`);
}

/**
 * Starts groupql and waits until it answers /healthz.
 *
 * `settings`: more GROUPQL_* variables. `subscribeTemplates`: a kind → template map, written to a
 * file for GROUPQL_SUBSCRIBE_TEMPLATES. `movableClock`: serve the same app with a clock that
 * `advanceClock()` moves forward (test/movable_clock_server.py), so tokens can expire; groupql
 * has no other way to end a session, and a restart would forget every group too.
 */
export async function startServer({ settings = {}, subscribeTemplates, movableClock = false } = {}) {
  const port = await freePort();
  const workDir = await mkdtemp(join(tmpdir(), "groupql-weapp-test-"));
  const env = { ...TEST_SETTINGS, GROUPQL_MEDIA_DIR: join(workDir, "media"), ...settings };
  if (subscribeTemplates) {
    const path = join(workDir, "subscribe-templates.json");
    await writeFile(path, JSON.stringify(subscribeTemplates));
    env.GROUPQL_SUBSCRIBE_TEMPLATES = path;
  }
  const [command, args] = movableClock
    ? [python, [join(here, "movable_clock_server.py"), "--port", String(port)]]
    : [groupqlBin, ["serve", "--host", "127.0.0.1", "--port", String(port)]];
  const child = spawn(command, args, {
    cwd: workDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = [];
  const clockMoves = [];
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    output.push(chunk);
    if (chunk.includes("clock advanced")) clockMoves.shift()?.();
  });
  child.stderr.on("data", (chunk) => output.push(chunk));

  const url = `http://127.0.0.1:${port}`;
  const server = {
    url: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    settings: env,
    output,

    /** Moves the server's clock forward by a day and a minute (movableClock only). */
    advanceClock() {
      if (!movableClock) throw new Error("start the server with movableClock: true");
      const moved = new Promise((r) => clockMoves.push(r));
      child.kill("SIGUSR1");
      return moved;
    },

    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHealth(url, child, output);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
