// A stand-in for the mini-program's `wx` on one simulated phone, over real HTTP and WebSockets.
//
// It follows the base library's signatures and callback shapes: success/fail/complete with
// `errMsg` ("<api>:ok", "<api>:fail <why>"), a promise from the APIs that give one when no
// callback is passed (login, getShareInfo, requestSubscribeMessage, get/setStorage), and Task
// objects (RequestTask, SocketTask, UploadTask) from request, connectSocket and uploadFile.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { promisify } from "node:util";

import WebSocket from "ws";

import { groupqlBin, serverEnv } from "./server.js";

const run = promisify(execFile);

// WeChat allows at most 5 SocketTasks open at the same time per mini-program.
const MAX_SOCKETS = 5;
// requestSubscribeMessage takes at most 3 template ids per call.
const MAX_TEMPLATES_PER_ASK = 3;
// The scene of an App.onLaunch/onShow opened from a card shared in a group chat.
const SCENE_GROUP_SHARE_CARD = 1044;

const MIME_BY_EXTENSION = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg" };

function ok(api, extra = {}) {
  return { errMsg: `${api}:ok`, ...extra };
}

function failure(api, why, extra = {}) {
  return { errMsg: `${api}:fail ${why}`, ...extra };
}

// The base library's pattern: callbacks when any is given, else a promise.
function settle(api, options, work) {
  const { success, fail, complete } = options ?? {};
  const outcome = Promise.resolve()
    .then(work)
    .then(
      (res) => ({ ok: true, res }),
      (error) => ({ ok: false, res: error?.errMsg ? error : failure(api, String(error?.message ?? error)) }),
    );
  if (!success && !fail && !complete) {
    return outcome.then(({ ok: isOk, res }) => (isOk ? res : Promise.reject(res)));
  }
  outcome.then(({ ok: isOk, res }) => {
    (isOk ? success : fail)?.(res);
    complete?.(res);
  });
  return undefined;
}

function callbacks(api, options, promise) {
  const { success, fail, complete } = options ?? {};
  promise.then(
    (res) => {
      success?.(res);
      complete?.(res);
    },
    (error) => {
      const res = error?.errMsg ? error : failure(api, String(error?.message ?? error));
      fail?.(res);
      complete?.(res);
    },
  );
}

function headersOf(response) {
  return Object.fromEntries(response.headers.entries());
}

function parsedIfJson(text, dataType) {
  if (dataType !== "json") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text; // like WeChat: a body that is not JSON stays a string
  }
}

class SocketTask {
  #ws;
  #handlers = { open: [], message: [], close: [], error: [] };
  #closed = false;
  #isSilent = false;

  #phone;

  constructor(url, { header, protocols }, phone) {
    this.url = url;
    this.#phone = phone;
    this.#ws = new WebSocket(url, protocols ?? [], { headers: header ?? {} });
    this.#ws.on("open", () => this.#emit("open", { header: {}, profile: {} }));
    this.#ws.on("message", (data, isBinary) => {
      if (this.#isSilent) return;
      this.#emit("message", { data: isBinary ? new Uint8Array(data).buffer : data.toString("utf8") });
    });
    this.#ws.on("error", (error) => this.#emit("error", { errMsg: error.message }));
    this.#ws.on("close", (code, reason) => {
      this.#closed = true;
      this.#phone.openSockets.delete(this);
      this.#phone.socketCloses.push({ code, reason: reason.toString("utf8") });
      this.#emit("close", { code, reason: reason.toString("utf8") });
    });
  }

  send({ data, success, fail, complete } = {}) {
    const attempt = new Promise((resolve, reject) => {
      if (this.#ws.readyState !== WebSocket.OPEN) {
        reject(failure("sendSocketMessage", "WebSocket is not connected"));
        return;
      }
      if (typeof data === "string") this.#phone.sentFrames.push(data);
      if (this.#isSilent) {
        resolve(ok("sendSocketMessage")); // buffered on the phone, never arrives
        return;
      }
      this.#ws.send(data, (error) =>
        error ? reject(failure("sendSocketMessage", error.message)) : resolve(ok("sendSocketMessage")),
      );
    });
    callbacks("sendSocketMessage", { success, fail, complete }, attempt);
  }

  close({ code = 1000, reason = "", success, fail, complete } = {}) {
    const attempt = new Promise((resolve, reject) => {
      // The base library accepts 1000 or 3000-4999, as browsers do.
      if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
        reject(failure("closeSocket", `invalid close code ${code}`));
        return;
      }
      if (!this.#closed) this.#ws.close(code, reason);
      resolve(ok("closeSocket"));
    });
    callbacks("closeSocket", { success, fail, complete }, attempt);
  }

  onOpen(cb) {
    this.#handlers.open.push(cb);
  }

  onMessage(cb) {
    this.#handlers.message.push(cb);
  }

  onClose(cb) {
    this.#handlers.close.push(cb);
  }

  onError(cb) {
    this.#handlers.error.push(cb);
  }

  // The connection is half-open: nothing arrives either way, and nothing says so.
  _silence() {
    this.#isSilent = true;
  }

  // The network went away: no close frame, the client hears 1006 as on a phone losing signal.
  _drop() {
    this.#ws.terminate();
  }

  #emit(event, res) {
    for (const cb of this.#handlers[event]) cb(res);
  }
}

/**
 * One phone with the mini-program on it, for one WeChat user.
 *
 * `user` is the dev login code: groupql's dev mode derives the openid and session key from it.
 * `storage` is the phone's local storage (a Map); hand it to a new Phone to restart the app.
 */
export class Phone {
  constructor({ user, server, storage = new Map(), subscribeAnswers = {} }) {
    this.user = user;
    this.server = server;
    this.storage = storage;
    this.subscribeAnswers = subscribeAnswers;
    this.requests = [];
    this.logins = 0;
    this.shareInfoReads = 0;
    this.uploads = [];
    this.subscribeAsks = [];
    this.socketsOpened = 0;
    this.openSockets = new Set();
    this.sentFrames = [];
    this.socketCloses = [];
    this.#shareTickets = new Map();
    this.wx = this.#makeWx();
  }

  #shareTickets;
  // The code whose session key WeChat uses to encrypt share info; see rotateSessionKey.
  #keyCode = null;

  /** App.onLaunch options as WeChat gives them when the user opens a card shared in `openGId`. */
  openShareCard(openGId, path = "pages/index/index") {
    const shareTicket = `ticket-${openGId}-${this.#shareTickets.size + 1}`;
    this.#shareTickets.set(shareTicket, openGId);
    return { path, query: {}, scene: SCENE_GROUP_SHARE_CARD, shareTicket, referrerInfo: {} };
  }

  /**
   * WeChat rotates the user's session key (it does so on its own, e.g. after a while or on
   * another device's wx.login): share info is now encrypted with a key the server does not
   * have, until the mini-program calls wx.login and groupql's login stores the key again.
   *
   * Dev mode derives a user's key from the login code, so the stand-in encrypts with another
   * code's key until the next wx.login.
   */
  rotateSessionKey() {
    this.#keyCode = `${this.user}:rotated-${Date.now()}`;
  }

  /** The network drops every open socket, with no close frame (the phone slept, lost signal). */
  dropSockets() {
    const dropped = [...this.openSockets];
    for (const task of dropped) task._drop();
    return dropped.length;
  }

  /**
   * The network stops carrying the open sockets' frames, either way, without closing them (a
   * NAT forgot the connection while the phone slept): only the client's pings can notice.
   */
  silenceSockets() {
    for (const task of this.openSockets) task._silence();
    return this.openSockets.size;
  }

  /** The request bodies this phone sent to the GraphQL endpoint, parsed. */
  graphqlBodies() {
    return this.requests.filter((r) => r.url.endsWith("/graphql")).map((r) => r.body);
  }

  /** Every text frame the phone sent on any socket, parsed. */
  socketMessages() {
    return this.sentFrames.map((frame) => JSON.parse(frame));
  }

  #makeWx() {
    const phone = this;
    const storage = this.storage;
    return {
      request(options) {
        const { url, method = "GET", header = {}, data, dataType = "json", timeout = 60_000 } = options;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error("timeout")), timeout);
        const headers = { "content-type": "application/json", ...lowerKeys(header) };
        let target = url;
        let body;
        if (method.toUpperCase() === "GET") {
          if (data && typeof data === "object") {
            const query = new URLSearchParams(
              Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
            );
            target += (url.includes("?") ? "&" : "?") + query;
          }
        } else if (data !== undefined) {
          body = typeof data === "string" ? data : JSON.stringify(data);
        }
        phone.requests.push({
          url: target,
          method: method.toUpperCase(),
          header: headers,
          body: body === undefined ? undefined : parsedIfJson(body, "json"),
        });
        const attempt = fetch(target, { method, headers, body, signal: controller.signal })
          .then(async (response) => {
            const text = await response.text();
            return ok("request", {
              statusCode: response.status,
              data: parsedIfJson(text, dataType),
              header: headersOf(response),
              cookies: [],
            });
          })
          .catch((error) => {
            throw failure("request", error.name === "AbortError" ? "timeout" : error.message);
          })
          .finally(() => clearTimeout(timer));
        callbacks("request", options, attempt);
        return { abort: () => controller.abort(new Error("abort")), onHeadersReceived() {}, offHeadersReceived() {} };
      },

      connectSocket(options) {
        const { url, header, protocols, success, fail, complete } = options;
        if (phone.openSockets.size >= MAX_SOCKETS) {
          callbacks("connectSocket", { fail, complete }, Promise.reject(failure("connectSocket", "exceed max task count")));
          return undefined;
        }
        const task = new SocketTask(url, { header, protocols }, phone);
        phone.openSockets.add(task);
        phone.socketsOpened += 1;
        callbacks("connectSocket", { success, fail, complete }, Promise.resolve(ok("connectSocket")));
        return task;
      },

      login(options) {
        return settle("login", options, () => {
          phone.logins += 1;
          phone.#keyCode = null; // the server stores the key WeChat now has
          return ok("login", { code: phone.user });
        });
      },

      getShareInfo(options) {
        return settle("getShareInfo", options, async () => {
          const openGId = phone.#shareTickets.get(options?.shareTicket);
          if (!openGId) throw failure("getShareInfo", "invalid shareTicket");
          phone.shareInfoReads += 1;
          const code = phone.#keyCode ?? phone.user;
          const { stdout } = await run(
            groupqlBin,
            ["dev", "share-ticket", "--code", code, "--open-gid", openGId],
            { env: serverEnv(phone.server) },
          );
          const { encryptedData, iv } = JSON.parse(stdout);
          return ok("getShareInfo", { encryptedData, iv, cloudID: undefined });
        });
      },

      uploadFile(options) {
        const { url, filePath, name, header = {}, formData = {}, timeout = 60_000 } = options;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error("timeout")), timeout);
        const attempt = readFile(filePath)
          .then((bytes) => {
            const form = new FormData();
            for (const [key, value] of Object.entries(formData)) form.append(key, String(value));
            const type = MIME_BY_EXTENSION[extname(filePath).toLowerCase()] ?? "application/octet-stream";
            form.append(name, new Blob([bytes], { type }), basename(filePath));
            phone.uploads.push({ url, name, header, formData, filePath, bytes: bytes.length });
            return fetch(url, { method: "POST", headers: header, body: form, signal: controller.signal });
          })
          .then(async (response) => ok("uploadFile", { statusCode: response.status, data: await response.text() }))
          .catch((error) => {
            throw error?.errMsg ? error : failure("uploadFile", error.message);
          })
          .finally(() => clearTimeout(timer));
        callbacks("uploadFile", options, attempt);
        return { abort: () => controller.abort(new Error("abort")), onProgressUpdate() {}, offProgressUpdate() {} };
      },

      // readFile without `encoding` gives an ArrayBuffer, as on a phone.
      getFileSystemManager() {
        return {
          readFile(options) {
            const { filePath, encoding } = options;
            const attempt = readFile(filePath).then(
              (bytes) =>
                ok("readFile", {
                  data: encoding
                    ? bytes.toString(encoding)
                    : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
                }),
              () => {
                throw failure("readFile", `no such file or directory, open "${filePath}"`);
              },
            );
            callbacks("readFile", options, attempt);
          },
        };
      },

      requestSubscribeMessage(options) {
        return settle("requestSubscribeMessage", options, () => {
          const tmplIds = options?.tmplIds ?? [];
          if (tmplIds.length === 0 || tmplIds.length > MAX_TEMPLATES_PER_ASK) {
            throw failure("requestSubscribeMessage", "Templates count out of max bounds", { errCode: 20003 });
          }
          phone.subscribeAsks.push([...tmplIds]);
          const answers = Object.fromEntries(tmplIds.map((id) => [id, phone.subscribeAnswers[id] ?? "accept"]));
          return ok("requestSubscribeMessage", answers);
        });
      },

      // Storage keeps a copy, as WeChat's (which serialises) does: later changes to the object
      // given do not reach it. A missing key reads as "".
      setStorageSync(key, data) {
        storage.set(key, structuredClone(data));
      },
      getStorageSync(key) {
        return storage.has(key) ? structuredClone(storage.get(key)) : "";
      },
      removeStorageSync(key) {
        storage.delete(key);
      },
      setStorage(options) {
        return settle("setStorage", options, () => {
          storage.set(options.key, structuredClone(options.data));
          return ok("setStorage");
        });
      },
      getStorage(options) {
        return settle("getStorage", options, () => {
          if (!storage.has(options.key)) throw failure("getStorage", "data not found");
          return ok("getStorage", { data: structuredClone(storage.get(options.key)) });
        });
      },
      removeStorage(options) {
        return settle("removeStorage", options, () => {
          storage.delete(options.key);
          return ok("removeStorage");
        });
      },
    };
  }

  /** Closes whatever sockets are still open (test teardown). */
  shutdown() {
    for (const task of [...this.openSockets]) task._drop();
  }
}

function lowerKeys(header) {
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]));
}
