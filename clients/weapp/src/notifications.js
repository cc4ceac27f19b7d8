// Subscribe messages: ask the user for the templates of some notification kinds, and tell the
// server what they answered.

import { callWx } from "./wx-call.js";
import { GroupqlError } from "./errors.js";
import { RECORD_SUBSCRIPTION, SUBSCRIBE_TEMPLATES } from "./operations.js";

/**
 * Shows wx.requestSubscribeMessage for the templates of `kinds` (all the server has when omitted;
 * WeChat takes at most 3, and only from a tap) and resolves with recordSubscription's ledger
 * entries; [] when the server has no template for those kinds.
 */
export async function requestNotifications(wx, session, kinds) {
  const { subscribeTemplates } = await session.request(SUBSCRIBE_TEMPLATES);
  const wanted = subscribeTemplates.filter((template) => !kinds || kinds.includes(template.kind));
  const tmplIds = Array.from(new Set(wanted.map((template) => template.templateId)));
  if (tmplIds.length === 0) return [];
  let answers;
  try {
    answers = await callWx(wx, "requestSubscribeMessage", { tmplIds });
  } catch (failure) {
    throw GroupqlError.wxFailed("requestSubscribeMessage", failure);
  }
  // WeChat answers {[templateId]: "accept" | "reject" | "ban" | "filter", errMsg}.
  const results = tmplIds
    .filter((templateId) => typeof answers[templateId] === "string")
    .map((templateId) => ({ templateId, status: answers[templateId].toUpperCase() }));
  const { recordSubscription } = await session.request(RECORD_SUBSCRIPTION, { results });
  return recordSubscription;
}
