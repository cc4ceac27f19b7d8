// Joining the group of the chat a card was opened from: share info → resolveShareTicket.

import { callWx } from "./wx-call.js";
import { GroupqlError } from "./errors.js";
import { RESOLVE_SHARE_TICKET } from "./operations.js";

export const SESSION_KEY_STALE = "SESSION_KEY_STALE";

// Scenes where WeChat opened the mini-program from a group chat's card, where
// wx.getGroupEnterInfo (base library 2.17.3+) tells the chat.
const GROUP_CARD_SCENES = [1008, 1044];

/**
 * The JoinResult for App.onLaunch/onShow options that carry a shareTicket, else null.
 * The share info is read only after the viewer is logged in: a wx.login after it would make the
 * server's session key another than the one WeChat encrypted with (SESSION_KEY_STALE).
 */
export async function joinFromLaunch(wx, session, options) {
  if (!options || !options.shareTicket) return null;
  await session.token();
  try {
    return await resolve(session, await readShareInfo(wx, options));
  } catch (error) {
    if (!(error instanceof GroupqlError) || error.code !== SESSION_KEY_STALE) throw error;
    await session.login();
    return resolve(session, await readShareInfo(wx, options));
  }
}

async function resolve(session, { encryptedData, iv }) {
  const data = await session.request(RESOLVE_SHARE_TICKET, { encryptedData, iv });
  return data.resolveShareTicket;
}

async function readShareInfo(wx, options) {
  if (GROUP_CARD_SCENES.includes(options.scene) && typeof wx.getGroupEnterInfo === "function") {
    try {
      return await callWx(wx, "getGroupEnterInfo", {});
    } catch (invalidScene) {
      // WeChat sometimes answers "invalid scene" on a first launch from a card; the shareTicket
      // still works.
    }
  }
  try {
    return await callWx(wx, "getShareInfo", { shareTicket: options.shareTicket });
  } catch (failure) {
    throw GroupqlError.wxFailed("getShareInfo", failure);
  }
}
