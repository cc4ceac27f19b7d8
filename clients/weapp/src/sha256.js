// SHA-256 in pure JavaScript (mini-programs have no crypto.subtle), as lowercase hex.

import jsSha256 from "js-sha256";

// js-sha256 is CommonJS: its default export is the sha256 function, also under `.sha256`.
const sha256 = jsSha256.sha256 || jsSha256;

/** The hex SHA-256 of a string's UTF-8 bytes, or of an ArrayBuffer's bytes. */
export function sha256Hex(message) {
  return sha256(message);
}
