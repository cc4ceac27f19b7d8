import { createClient } from "groupql-weapp";

// Development: `make run` on this computer, with 不校验合法域名 on (urlCheck: false in
// project.config.json). Production: https://<your ICP-filed domain>/graphql, listed in the admin
// console's request, socket and uploadFile domains.
const SERVER_URL = "http://127.0.0.1:8000/graphql";

App({
  // One client for the whole app: one token, one socket for every live feed.
  client: createClient({ url: SERVER_URL, wx }),

  // No wx.login here: the client logs in (wx.login → login) when it holds no token or the server
  // says UNAUTHENTICATED, and keeps the token in storage across launches.

  // Every start, cold or warm, runs onShow; a card opened in a group chat gives a shareTicket.
  async onShow(options) {
    try {
      const joined = await this.client.joinFromLaunch(options);
      if (!joined) return;
      if (joined.member.status === "ACTIVE") {
        wx.reLaunch({ url: `/pages/group/index?id=${joined.group.id}` });
      } else {
        wx.showToast({ title: "已申请加入，等待管理员同意", icon: "none" });
      }
    } catch (error) {
      wx.showToast({ title: error.message, icon: "none" });
    }
  },
});
