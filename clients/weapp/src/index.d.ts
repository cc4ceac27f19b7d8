// Types of groupql-weapp. The result types mirror the selections of src/operations.js;
// `npm run check` validates those against schema.graphql, and these enums against its enums.

export type ID = string;
/** ISO 8601, as the server's DateTime scalar sends it. */
export type DateTime = string;

export type Role = "OWNER" | "ADMIN" | "MEMBER";
export type MemberStatus = "ACTIVE" | "PENDING" | "LEFT" | "REMOVED" | "REJECTED" | "BANNED";
export type ItemType = "TEXT" | "IMAGE" | "VIDEO" | "FILE" | "LINK" | "POLL" | "QUESTION";
export type ReviewStatus = "PUBLISHED" | "PENDING_REVIEW" | "REJECTED";
export type MediaKind = "IMAGE" | "VIDEO" | "FILE" | "AVATAR";
export type SubscribeResult = "ACCEPT" | "REJECT" | "BAN" | "FILTER";
export type RankingPeriod = "DAY" | "WEEK" | "MONTH" | "ALL";
export type MessageSubscriptionStatus = "ACCEPT" | "REJECT";

/** Where the client keeps its token and feed marks; sync or async. */
export interface Storage {
  get(key: string): unknown | Promise<unknown>;
  set(key: string, value: unknown): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

export interface ClientOptions {
  /** "https://host/graphql": queries and mutations over wx.request. */
  url: string;
  /** Default: `url` with http→ws, https→wss. */
  wsUrl?: string;
  /** Default: globalThis.wx. */
  wx?: object;
  /** Default: wx.getStorageSync / setStorageSync / removeStorageSync. */
  storage?: Storage;
  /** "apq" (default): hash first, query when the server lacks it; "trusted": hash only. */
  persistedQueries?: "apq" | "trusted" | false;
  /** Reconnect delays: exponential backoff with full jitter. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** graphql-transport-ws ping; no pong within it closes and reconnects. Default 20000. */
  pingIntervalMs?: number;
}

export interface Viewer {
  id: ID;
  openid: string;
  nickname: string | null;
}

export interface LoginResult {
  token: string;
  expiresAt: DateTime;
  viewer: Viewer;
}

export interface JoinResult {
  groupCreated: boolean;
  group: { id: ID; openGId: string | null; memberCount: number };
  member: { id: ID; role: Role; status: MemberStatus };
}

/** App.onLaunch / onShow options (the fields the client reads). */
export interface LaunchOptions {
  shareTicket?: string;
  scene?: number;
}

export interface User {
  id: ID;
  nickname: string | null;
  avatarUrl: string | null;
}

export interface FeedMedia {
  id: ID | null;
  mime: string;
  url: string;
  thumbnailUrl: string | null;
  width: number | null;
  height: number | null;
  bytes: number;
}

export interface FeedItem {
  id: ID;
  seq: number;
  type: ItemType;
  text: string | null;
  reviewStatus: ReviewStatus;
  isDeleted: boolean;
  createdAt: DateTime;
  editedAt: DateTime | null;
  isPinned: boolean;
  clientId: string | null;
  author: User;
  media: FeedMedia[];
  poll: {
    isClosed: boolean;
    voterCount: number;
    options: { id: ID; text: string; voteCount: number }[];
  } | null;
  replyTo: { id: ID } | null;
}

export interface FeedMember {
  id: ID;
  role: Role;
  status: MemberStatus;
  user: User;
}

export type ItemEvent =
  | { __typename: "ItemPosted"; seq: number; item: FeedItem }
  | { __typename: "ItemEdited"; seq: number; item: FeedItem }
  | { __typename: "ItemDeleted"; seq: number; item: FeedItem }
  | { __typename: "ItemPinned"; seq: number; item: FeedItem; pinned: boolean }
  | { __typename: "PollUpdated"; seq: number; item: FeedItem };

export type MemberEvent = {
  __typename: "MemberJoined" | "MemberLeft" | "MemberRemoved" | "MemberRoleChanged" | "MemberUpdated";
  member: FeedMember;
};

export type GroupFeedEvent =
  | ItemEvent
  | MemberEvent
  | {
      __typename: "GroupUpdated";
      group: { id: ID; title: string | null; announcement: { text: string } | null };
    }
  | { __typename: "RankingChanged"; metric: string; period: RankingPeriod; date: string };

export interface FeedHandlers {
  /** Each event once, in order; ItemPosted never twice, also across reconnects and restarts. */
  onEvent(event: GroupFeedEvent): void;
  /** The feed ended (FORBIDDEN, BANNED...), or an event came with errors. */
  onError?(error: GroupqlError): void;
  /** The server completed the feed (the viewer left the group). */
  onComplete?(): void;
}

export interface Media {
  id: ID | null;
  url: string;
  thumbnailUrl: string | null;
  width: number | null;
  height: number | null;
  mime: string;
  bytes: number;
  name: string | null;
}

export interface MessageSubscription {
  templateId: string;
  status: MessageSubscriptionStatus;
  credits: number;
}

export interface Client {
  /** wx.login → login(code); the token is kept under "groupql:token". */
  login(): Promise<LoginResult>;
  /** The operation's data; GraphQL errors and network failures reject with GroupqlError. */
  request<Data = any>(query: string, variables?: Record<string, unknown>): Promise<Data>;
  /** null without options.shareTicket; else the join of the chat the card was opened from. */
  joinFromLaunch(options: LaunchOptions | null | undefined): Promise<JoinResult | null>;
  /** Follows a group's feed on the client's one socket. */
  subscribeGroupFeed(groupId: ID, handlers: FeedHandlers): { unsubscribe(): void };
  /** createUpload → wx.uploadFile → completeUpload; groupId null for an AVATAR. */
  upload(groupId: ID | null, filePath: string, kind?: MediaKind): Promise<Media>;
  /** wx.requestSubscribeMessage for the kinds' templates → recordSubscription. */
  requestNotifications(kinds?: string[]): Promise<MessageSubscription[]>;
  /** Closes the socket and stops every timer. */
  close(): void;
}

export function createClient(options: ClientOptions): Client;

export class GroupqlError extends Error {
  /** extensions.code of the first error; "NETWORK" or "WX_FAILED" for failures on the phone. */
  code: string;
  message: string;
  errors: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>;
  extensions: Record<string, unknown>;
  /** WeChat's errno, for WX_FAILED. */
  errno?: number;
}

export const NETWORK: "NETWORK";
export const WX_FAILED: "WX_FAILED";

/** The hex SHA-256 of a document: the hash persisted queries send. */
export function hashOf(query: string): string;

/** Every document the client sends, by name (see scripts/extract-operations.mjs). */
export const operations: Readonly<Record<string, string>>;
