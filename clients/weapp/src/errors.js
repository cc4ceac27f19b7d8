// GroupqlError: every failure the client reports, with the server's extensions.code.

/** The code of a failure that never reached the server or got no GraphQL answer. */
export const NETWORK = "NETWORK";
/** The code of a wx API that failed on the phone (share info, a file, the subscribe dialog). */
export const WX_FAILED = "WX_FAILED";

export class GroupqlError extends Error {
  /**
   * @param {string} code extensions.code of the first error, or NETWORK
   * @param {string} message
   * @param {Array<object>} [errors] the GraphQL errors as the server sent them
   */
  constructor(code, message, errors) {
    super(message);
    this.name = "GroupqlError";
    this.code = code;
    this.errors = errors || [];
    this.extensions = (this.errors[0] && this.errors[0].extensions) || {};
  }

  /** The error for a GraphQL `errors` array (over HTTP, or a socket's `error` message). */
  static fromErrors(errors) {
    const first = errors[0] || {};
    const code = (first.extensions && first.extensions.code) || "INTERNAL";
    return new GroupqlError(code, first.message || "The server answered with an error.", errors);
  }

  /** The error for a request that failed (`fail` callback) or an answer that was not GraphQL. */
  static network(message) {
    return new GroupqlError(NETWORK, message);
  }

  /** The error for a wx API whose `fail` callback ran, with WeChat's errMsg. */
  static wxFailed(api, failure) {
    const said = (failure && failure.errMsg) || String(failure);
    const error = new GroupqlError(WX_FAILED, "wx." + api + " failed: " + said);
    error.errno = failure && failure.errno;
    return error;
  }
}
