// Calls the callback-style wx APIs (success/fail) as promises.

/**
 * `wx[name](options)` as a promise: resolves with what `success` gets, rejects with what `fail`
 * gets (WeChat's `{errMsg, errno}`).
 */
export function callWx(wx, name, options) {
  return new Promise((resolve, reject) => {
    wx[name](Object.assign({}, options, { success: resolve, fail: reject }));
  });
}

/** What a `fail` callback said, for an error message. */
export function failureText(failure) {
  return (failure && failure.errMsg) || String(failure);
}
