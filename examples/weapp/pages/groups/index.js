const { client } = getApp();

const MY_GROUPS = `query MyGroups {
  myGroups(first: 20) { edges { node { id openGId title memberCount } } }
}`;

const CREATE_GROUP = `mutation CreateGroup($title: String!) {
  createGroup(input: { title: $title }) { id }
}`;

Page({
  data: { groups: [], isLoading: true },

  onLoad() {
    // Cards shared from this page carry a shareTicket: whoever opens one in a group chat joins
    // that chat's group (App.onShow → joinFromLaunch).
    wx.showShareMenu({ withShareTicket: true, menus: ["shareAppMessage"] });
  },

  onShow() {
    this.load();
  },

  async onPullDownRefresh() {
    await this.load();
    wx.stopPullDownRefresh();
  },

  async load() {
    try {
      const { myGroups } = await client.request(MY_GROUPS);
      this.setData({ groups: myGroups.edges.map((edge) => edge.node) });
    } catch (error) {
      wx.showToast({ title: error.message, icon: "none" });
    }
    this.setData({ isLoading: false });
  },

  open(event) {
    wx.navigateTo({ url: `/pages/group/index?id=${event.currentTarget.dataset.id}` });
  },

  // A group of the app's own, not tied to a WeChat chat: handy in dev mode, where no chat exists.
  async create() {
    const { confirm, content } = await wx.showModal({
      title: "新建群",
      editable: true,
      placeholderText: "群名称",
    });
    const title = (content || "").trim();
    if (!confirm || !title) return;
    try {
      const { createGroup } = await client.request(CREATE_GROUP, { title });
      wx.navigateTo({ url: `/pages/group/index?id=${createGroup.id}` });
    } catch (error) {
      wx.showToast({ title: error.message, icon: "none" });
    }
  },

  onShareAppMessage() {
    return { title: "来群空间，和群友一起协作", path: "/pages/groups/index" };
  },
});
