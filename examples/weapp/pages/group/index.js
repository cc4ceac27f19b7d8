const { client } = getApp();

const FIRST_PAGE = `query GroupPage($id: ID!) {
  group(id: $id) {
    id
    title
    items(first: 20) {
      edges {
        node {
          id seq type text isDeleted reviewStatus
          author { id nickname }
          media { url thumbnailUrl }
        }
      }
    }
  }
}`;

const POST_ITEM = `mutation PostItem($input: PostItemInput!) {
  postItem(input: $input) { id seq }
}`;

Page({
  data: { items: [], draft: "", isSending: false, bottomId: "" },

  onLoad({ id }) {
    this.groupId = id;
    this.newestSeq = null; // the newest item shown; null until the first page is in
    this.early = []; // items the feed delivered before the first page
    this.clientId = null;
    wx.showShareMenu({ withShareTicket: true, menus: ["shareAppMessage"] });
    // Subscribed before the first page is read, so what is posted meanwhile comes through the feed.
    this.feed = client.subscribeGroupFeed(id, {
      onEvent: (event) => this.onFeedEvent(event),
      onError: (error) => wx.showToast({ title: error.message, icon: "none" }),
      // The feed ended: the viewer left the group, or was removed from it.
      onComplete: () => wx.reLaunch({ url: "/pages/groups/index" }),
    });
    this.loadFirstPage();
  },

  onUnload() {
    this.feed.unsubscribe();
  },

  async loadFirstPage() {
    try {
      const { group } = await client.request(FIRST_PAGE, { id: this.groupId });
      if (group.title) wx.setNavigationBarTitle({ title: group.title });
      const items = group.items.edges.map((edge) => edge.node).reverse(); // oldest first
      this.newestSeq = items.length > 0 ? items[items.length - 1].seq : 0;
      this.setData({ items, bottomId: items.length > 0 ? `item-${this.newestSeq}` : "" });
      this.early.forEach((item) => this.append(item));
      this.early = [];
    } catch (error) {
      wx.showToast({ title: error.message, icon: "none" });
    }
  },

  onFeedEvent(event) {
    if (event.__typename === "ItemPosted") {
      if (this.newestSeq === null) this.early.push(event.item);
      else this.append(event.item);
    } else if (event.item) {
      // An edit, deletion, pin or vote: show the item as it is now.
      const index = this.data.items.findIndex((item) => item.id === event.item.id);
      if (index >= 0) this.setData({ [`items[${index}]`]: event.item });
    }
  },

  append(item) {
    // The feed resumes after the last item of an earlier visit: what the page shows is skipped.
    if (item.seq <= this.newestSeq) return;
    this.newestSeq = item.seq;
    this.setData({ [`items[${this.data.items.length}]`]: item, bottomId: `item-${item.seq}` });
  },

  onInput(event) {
    this.clientId = null; // another text is another post
    this.setData({ draft: event.detail.value });
  },

  async send() {
    const text = this.data.draft.trim();
    if (!text || this.data.isSending) return;
    // Kept until the post succeeds: a retry with the same clientId never posts twice.
    this.clientId = this.clientId || newClientId();
    this.setData({ isSending: true });
    try {
      await client.request(POST_ITEM, {
        input: { groupId: this.groupId, text, clientId: this.clientId },
      });
      this.clientId = null;
      this.setData({ draft: "" }); // the item itself arrives through the feed, in seq order
    } catch (error) {
      wx.showToast({ title: error.message, icon: "none" });
    }
    this.setData({ isSending: false });
  },

  onShareAppMessage() {
    // Opened in a group chat, the card joins its reader into that chat's group (App.onShow).
    return { title: "来群空间，和群友一起协作", path: "/pages/groups/index" };
  },
});

function newClientId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
