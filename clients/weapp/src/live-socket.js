// One graphql-transport-ws connection over wx.connectSocket, shared by every subscription:
// opened lazily, kept alive with pings, reconnected with backoff, and every live subscription
// sent again after each reconnect.

import { backoffDelayMs } from "./backoff.js";
import { GroupqlError } from "./errors.js";

export const PROTOCOL = "graphql-transport-ws";
const UNAUTHORIZED = 4401;
const FORBIDDEN = 4403;
// What ends one subscription for good; any other error there is tried again after a backoff.
const FINAL_ERROR_CODES = ["FORBIDDEN", "BANNED", "NOT_FOUND", "BAD_USER_INPUT"];

/**
 * A subscription, as the socket runs it:
 * - `payload()`: the {query, variables} to send, asked on every (re)subscribe;
 * - `onNext(result)`, `onError(GroupqlError)`, `onComplete()`.
 */
export class LiveSocket {
  constructor({ wx, url, session, reconnect, pingIntervalMs = 20000 }) {
    this.wx = wx;
    this.url = url;
    this.session = session;
    this.reconnect = reconnect || {};
    this.pingIntervalMs = pingIntervalMs;
    this.subscriptions = new Map();
    this.nextId = 1;
    this.task = null;
    this.isAcknowledged = false;
    this.attempt = 0;
    this.isOpening = false;
    this.retryTimer = null;
    this.resubscribeTimers = new Set();
    this.pingTimer = null;
    this.isAwaitingPong = false;
    this.isClosed = false;
  }

  /** Starts a subscription; the returned function ends it. */
  subscribe(subscription) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, subscription);
    if (this.isAcknowledged) this.sendSubscribe(id);
    else if (!this.task && !this.retryTimer) this.open();
    return () => this.unsubscribe(id);
  }

  unsubscribe(id) {
    if (!this.subscriptions.has(id)) return;
    if (this.isAcknowledged) this.send({ id, type: "complete" });
    this.forget(id);
  }

  /** Drops a subscription that ended; the socket closes with the last one. */
  forget(id) {
    this.subscriptions.delete(id);
    if (this.subscriptions.size === 0) this.stop(1000, "No subscriptions left");
  }

  /** Closes the socket and stops every timer; subscriptions end without a callback. */
  close() {
    this.isClosed = true;
    this.subscriptions.clear();
    this.stop(1000, "Client closed");
  }

  async open() {
    if (this.isOpening) return;
    this.isOpening = true;
    let token;
    try {
      token = await this.session.token();
    } catch (loginFailed) {
      this.isOpening = false;
      this.scheduleReconnect();
      return;
    }
    this.isOpening = false;
    if (this.isClosed || this.task || this.subscriptions.size === 0) return;
    const task = this.wx.connectSocket({
      url: this.url,
      protocols: [PROTOCOL],
      // Deferred: a stand-in may call fail before connectSocket has returned the task.
      fail: () => Promise.resolve().then(() => this.lost(task)),
    });
    this.task = task;
    task.onOpen(() => {
      if (task !== this.task) return;
      this.send({ type: "connection_init", payload: { authorization: "Bearer " + token } });
    });
    task.onMessage(({ data }) => {
      if (task === this.task) this.receive(JSON.parse(data));
    });
    task.onClose(({ code, reason }) => {
      if (task === this.task) this.closedBy(code, reason);
    });
    // An error is usually followed by a close, but not always on every platform.
    task.onError(() => this.lost(task));
  }

  receive(message) {
    const subscription = this.subscriptions.get(message.id);
    switch (message.type) {
      case "connection_ack":
        this.isAcknowledged = true;
        this.attempt = 0;
        this.startPings();
        for (const id of this.subscriptions.keys()) this.sendSubscribe(id);
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        this.isAwaitingPong = false;
        break;
      case "next":
        if (subscription) subscription.onNext(message.payload);
        break;
      case "error":
        if (subscription) this.failed(message.id, subscription, message.payload);
        break;
      case "complete":
        if (subscription) {
          this.forget(message.id);
          subscription.onComplete();
        }
        break;
    }
  }

  failed(id, subscription, errors) {
    const error = GroupqlError.fromErrors(errors);
    if (FINAL_ERROR_CODES.includes(error.code)) {
      this.forget(id);
      subscription.onError(error);
      return;
    }
    const retryAfterS = error.extensions.retryAfter;
    const delayMs = retryAfterS ? retryAfterS * 1000 : backoffDelayMs(1, this.reconnect);
    const timer = setTimeout(() => {
      this.resubscribeTimers.delete(timer);
      if (this.isAcknowledged && this.subscriptions.get(id) === subscription) {
        this.sendSubscribe(id);
      }
    }, delayMs);
    this.resubscribeTimers.add(timer);
  }

  async closedBy(code, reason) {
    this.detach();
    if (code === FORBIDDEN) {
      const error = new GroupqlError("FORBIDDEN", reason || "The server refused the socket.");
      const ended = Array.from(this.subscriptions.values());
      this.subscriptions.clear();
      ended.forEach((subscription) => subscription.onError(error));
      return;
    }
    if (code === UNAUTHORIZED) {
      try {
        await this.session.login();
      } catch (loginFailed) {
        // The next attempt opens with the stored token and is refused again: retried with backoff.
      }
    }
    // 1013 (the server could not keep a feed going) and every other close: resubscribing with
    // each feed's own mark resumes it, whatever seq the close reason names.
    this.scheduleReconnect();
  }

  /** The socket failed without a usable close: drop it and reconnect. */
  lost(task) {
    if (!task || task !== this.task) return;
    this.detach();
    task.close({ code: 1000, reason: "Reconnecting" });
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.isClosed || this.retryTimer || this.subscriptions.size === 0) return;
    const delayMs = backoffDelayMs(this.attempt++, this.reconnect);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delayMs);
  }

  sendSubscribe(id) {
    const subscription = this.subscriptions.get(id);
    this.send({ id, type: "subscribe", payload: subscription.payload() });
  }

  send(message) {
    this.task.send({ data: JSON.stringify(message) });
  }

  startPings() {
    this.isAwaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.isAwaitingPong) {
        // No pong within a whole interval: the network dropped the socket without a close.
        this.lost(this.task);
        return;
      }
      this.isAwaitingPong = true;
      this.send({ type: "ping" });
    }, this.pingIntervalMs);
  }

  /** Forgets the current socket (its late callbacks are ignored) and its pings. */
  detach() {
    this.task = null;
    this.isAcknowledged = false;
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  stop(code, reason) {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.resubscribeTimers.forEach(clearTimeout);
    this.resubscribeTimers.clear();
    const task = this.task;
    this.detach();
    if (task) task.close({ code, reason });
  }
}
