// Where the client keeps its token and feed marks: the caller's storage, or wx's sync storage.

export const TOKEN_KEY = "groupql:token";

/** The key of a group's feed mark: the highest ItemPosted seq delivered. */
export function lastSeqKey(groupId) {
  return "groupql:lastSeq:" + groupId;
}

/** wx's storage in the shape the client takes ({get, set, remove}). */
export function wxStorage(wx) {
  return {
    // getStorageSync answers "" for a key it does not hold.
    get: (key) => {
      const value = wx.getStorageSync(key);
      return value === "" ? undefined : value;
    },
    set: (key, value) => wx.setStorageSync(key, value),
    remove: (key) => wx.removeStorageSync(key),
  };
}
