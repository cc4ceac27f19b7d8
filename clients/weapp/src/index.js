// groupql-weapp: the groupql client for WeChat mini-programs.

import * as operations from "./operations.js";

export { createClient } from "./client.js";
export { GroupqlError, NETWORK, WX_FAILED } from "./errors.js";
export { hashOf } from "./persisted.js";
export { operations };
