// Every GraphQL document the client sends, exactly as sent: scripts/extract-operations.mjs
// writes them out for `groupql documents build` (trusted documents), and
// scripts/check-operations.mjs validates them against schema.graphql.

export const LOGIN = `mutation Login($code: String!) {
  login(code: $code) {
    token
    expiresAt
    viewer { id openid nickname }
  }
}
`;

export const RESOLVE_SHARE_TICKET = `mutation ResolveShareTicket($encryptedData: String!, $iv: String!) {
  resolveShareTicket(encryptedData: $encryptedData, iv: $iv) {
    groupCreated
    group { id openGId memberCount }
    member { id role status }
  }
}
`;

export const GROUP_LAST_SEQ = `query GroupLastSeq($groupId: ID!) {
  group(id: $groupId) { id lastSeq }
}
`;

export const GROUP_FEED = `subscription GroupFeed($groupId: ID!, $afterSeq: Int) {
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {
    __typename
    ... on ItemEvent {
      seq
      item {
        id seq type text reviewStatus isDeleted createdAt editedAt isPinned clientId
        author { id nickname avatarUrl }
        media { id mime url thumbnailUrl width height bytes }
        poll { isClosed voterCount options { id text voteCount } }
        replyTo { id }
      }
    }
    ... on ItemPinned { pinned }
    ... on MemberEvent {
      member { id role status user { id nickname avatarUrl } }
    }
    ... on GroupUpdated {
      group { id title announcement { text } }
    }
    ... on RankingChanged { metric period date }
  }
}
`;

export const CREATE_UPLOAD = `mutation CreateUpload($input: CreateUploadInput!) {
  createUpload(input: $input) {
    id url method fileField headers formData expiresAt maxBytes
  }
}
`;

export const COMPLETE_UPLOAD = `mutation CompleteUpload($id: ID!) {
  completeUpload(id: $id) {
    id url thumbnailUrl width height mime bytes name
  }
}
`;

export const SUBSCRIBE_TEMPLATES = `query SubscribeTemplates {
  subscribeTemplates { kind templateId }
}
`;

export const RECORD_SUBSCRIPTION = `mutation RecordSubscription($results: [SubscribeResultInput!]!) {
  recordSubscription(results: $results) { templateId status credits }
}
`;
