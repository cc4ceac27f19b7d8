// createClient: the one object a mini-program holds, wiring the session, the shared socket and
// each capability together.

import { subscribeGroupFeed } from "./group-feed.js";
import { createPoster } from "./http.js";
import { LiveSocket } from "./live-socket.js";
import { requestNotifications } from "./notifications.js";
import { createSender } from "./persisted.js";
import { Session } from "./session.js";
import { joinFromLaunch } from "./sharing.js";
import { wxStorage } from "./storage.js";
import { upload } from "./uploads.js";

export function createClient(options) {
  const wx = options.wx || globalThis.wx;
  if (!wx) throw new TypeError("createClient needs `wx` (or a global wx).");
  const storage = options.storage || wxStorage(wx);
  const persistedQueries = options.persistedQueries === undefined ? "apq" : options.persistedQueries;
  const send = createSender(createPoster(wx, options.url), persistedQueries);
  const session = new Session(wx, storage, send);
  const socket = new LiveSocket({
    wx,
    url: options.wsUrl || socketUrlOf(options.url),
    session,
    reconnect: options.reconnect,
    pingIntervalMs: options.pingIntervalMs,
  });

  return {
    login: () => session.login(),
    request: (query, variables) => session.request(query, variables),
    joinFromLaunch: (launchOptions) => joinFromLaunch(wx, session, launchOptions),
    subscribeGroupFeed: (groupId, handlers) =>
      subscribeGroupFeed({ socket, session, storage }, groupId, handlers),
    upload: (groupId, filePath, kind) => upload(wx, session, groupId, filePath, kind),
    requestNotifications: (kinds) => requestNotifications(wx, session, kinds),
    close: () => socket.close(),
  };
}

/** http://host/graphql → ws://host/graphql, https → wss. */
function socketUrlOf(url) {
  return url.replace(/^http/, "ws");
}
