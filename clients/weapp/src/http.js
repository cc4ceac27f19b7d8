// GraphQL over wx.request: one POST of JSON, answered with the server's {data, errors}.

import { callWx, failureText } from "./wx-call.js";
import { GroupqlError } from "./errors.js";

/**
 * A function that POSTs a GraphQL request body to `url` with the bearer token (when given) and
 * resolves with the GraphQL response; a request that got no GraphQL answer rejects with NETWORK.
 */
export function createPoster(wx, url) {
  return async function post(body, token) {
    const header = { "content-type": "application/json" };
    if (token) header.Authorization = "Bearer " + token;
    let response;
    try {
      response = await callWx(wx, "request", { url, method: "POST", data: body, header });
    } catch (failure) {
      throw GroupqlError.network("wx.request failed: " + failureText(failure));
    }
    const answer = typeof response.data === "string" ? parseJson(response.data) : response.data;
    if (!answer || (answer.data === undefined && !Array.isArray(answer.errors))) {
      throw GroupqlError.network("HTTP " + response.statusCode + ": the answer is not GraphQL.");
    }
    return answer;
  };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (notJson) {
    return null;
  }
}
