// Uploads: createUpload → wx.uploadFile as the ticket says → completeUpload.

import { callWx, failureText } from "./wx-call.js";
import { GroupqlError } from "./errors.js";
import { COMPLETE_UPLOAD, CREATE_UPLOAD } from "./operations.js";
import { sha256Hex } from "./sha256.js";

// The server decides the type from the bytes; the claimed one must only match the kind.
const MIME_BY_EXTENSION = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  mp4: "video/mp4",
  mov: "video/quicktime",
  pdf: "application/pdf",
};
const MIME_BY_KIND = {
  IMAGE: "image/jpeg",
  AVATAR: "image/jpeg",
  VIDEO: "video/mp4",
  FILE: "application/octet-stream",
};

/**
 * Uploads the file at `filePath` (a wx temp or user path) for `groupId` (null for an AVATAR) and
 * resolves with completeUpload's Media: pass its `id` in postItem's mediaIds.
 */
export async function upload(wx, session, groupId, filePath, kind = "IMAGE") {
  const contents = await readFile(wx, filePath);
  const input = {
    groupId,
    kind,
    mime: mimeOf(filePath, kind),
    bytes: contents.byteLength,
    sha256: sha256Hex(contents),
  };
  const { createUpload: ticket } = await session.request(CREATE_UPLOAD, { input });
  await sendFile(wx, ticket, filePath);
  const { completeUpload } = await session.request(COMPLETE_UPLOAD, { id: ticket.id });
  return completeUpload;
}

function readFile(wx, filePath) {
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().readFile({
      filePath,
      success: ({ data }) => resolve(data),
      fail: (failure) => reject(GroupqlError.wxFailed("getFileSystemManager().readFile", failure)),
    });
  });
}

async function sendFile(wx, ticket, filePath) {
  let response;
  try {
    response = await callWx(wx, "uploadFile", {
      url: ticket.url,
      filePath,
      name: ticket.fileField,
      header: ticket.headers,
      formData: ticket.formData,
    });
  } catch (failure) {
    throw GroupqlError.network("wx.uploadFile failed: " + failureText(failure));
  }
  if (response.statusCode >= 300) throw uploadRefusal(response);
}

/** POST /uploads/{id} answers refusals in GraphQL's shape; S3 answers XML. */
function uploadRefusal({ statusCode, data }) {
  try {
    const answer = typeof data === "string" ? JSON.parse(data) : data;
    if (answer && Array.isArray(answer.errors)) return GroupqlError.fromErrors(answer.errors);
  } catch (notJson) {
    // Falls through to a refusal that quotes the status.
  }
  return GroupqlError.network("The upload was refused with HTTP " + statusCode + ".");
}

function mimeOf(filePath, kind) {
  const extension = filePath.split(".").pop().toLowerCase();
  const guess = MIME_BY_EXTENSION[extension];
  const kindPrefix = MIME_BY_KIND[kind].split("/")[0];
  return guess && (kind === "FILE" || guess.startsWith(kindPrefix)) ? guess : MIME_BY_KIND[kind];
}
