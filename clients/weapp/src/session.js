// The viewer's session: the token in storage, wx.login → login(code), and requests that log in
// again once when the server says UNAUTHENTICATED.

import { callWx, failureText } from "./wx-call.js";
import { GroupqlError } from "./errors.js";
import { LOGIN } from "./operations.js";
import { TOKEN_KEY } from "./storage.js";

export const UNAUTHENTICATED = "UNAUTHENTICATED";

export class Session {
  /**
   * @param {object} wx
   * @param {{get, set, remove}} storage
   * @param {(query: string, variables: object, token?: string) => Promise<object>} send
   */
  constructor(wx, storage, send) {
    this.wx = wx;
    this.storage = storage;
    this.send = send;
    this.loggingIn = null;
  }

  /** wx.login → login(code); the token is stored. Concurrent callers share one login. */
  login() {
    if (!this.loggingIn) {
      this.loggingIn = this.logInOnce().finally(() => {
        this.loggingIn = null;
      });
    }
    return this.loggingIn;
  }

  /** The stored token, after logging in when there is none. */
  async token() {
    const token = await this.storage.get(TOKEN_KEY);
    return token || (await this.login()).token;
  }

  /** The operation's data, run with the token; on UNAUTHENTICATED it logs in once and retries. */
  async request(query, variables) {
    try {
      return await this.requestWith(await this.token(), query, variables);
    } catch (error) {
      if (!(error instanceof GroupqlError) || error.code !== UNAUTHENTICATED) throw error;
      return this.requestWith((await this.login()).token, query, variables);
    }
  }

  async requestWith(token, query, variables) {
    const answer = await this.send(query, variables || {}, token);
    if (answer.errors && answer.errors.length > 0) throw GroupqlError.fromErrors(answer.errors);
    return answer.data;
  }

  async logInOnce() {
    let code;
    try {
      code = (await callWx(this.wx, "login", {})).code;
    } catch (failure) {
      throw GroupqlError.network("wx.login failed: " + failureText(failure));
    }
    const { login } = await this.requestWith(undefined, LOGIN, { code });
    await this.storage.set(TOKEN_KEY, login.token);
    return login;
  }
}
