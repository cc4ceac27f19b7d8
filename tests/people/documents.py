"""What profile, mention, unread and notification tests send."""

UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id nickname avatarUrl } }
"""
SET_DISPLAY_NAME = """
mutation($groupId: ID!, $displayName: String) {
  setDisplayName(groupId: $groupId, displayName: $displayName) { id displayName user { id } }
}
"""
AUTHORS = """
query($id: ID!) {
  group(id: $id) {
    items(first: 50) { edges { node { id author { id nickname avatarUrl } } } }
    members(first: 50) { edges { node { displayName user { id nickname } } } }
  }
}
"""
MENTIONS = "fragment Mentions on GroupItem { id seq mentions { id } mentionsAll mentionsViewer }"
POST_MENTIONING = (
    "mutation($input: PostItemInput!) { postItem(input: $input) { ...Mentions } }" + MENTIONS
)
EDIT_MENTIONING = (
    """
mutation($itemId: ID!, $text: String!, $mentions: [ID!]) {
  editItem(itemId: $itemId, text: $text, mentions: $mentions) { ...Mentions }
}
"""
    + MENTIONS
)
ITEM_MENTIONS = (
    "query($id: ID!) { group(id: $id) { items(first: 100) { edges { node { ...Mentions } } } } }"
    + MENTIONS
)
REACH = "query($id: ID!) { group(id: $id) { mentionAllReach mentionAllRoles } }"
UNREAD = """
query($id: ID!) { group(id: $id) { lastSeq viewerUnread { count mentionCount firstUnreadSeq } } }
"""
TOTALS = "{ viewer { unread { count mentionCount groupCount } } }"
MARK_READ = """
mutation($groupId: ID!, $seq: Int!) {
  markRead(groupId: $groupId, seq: $seq) { count mentionCount firstUnreadSeq }
}
"""
NOTIFICATIONS = """
query($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  viewer {
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      edges { node { id kind group { id } item { id } actor { id } createdAt readAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
MARK_NOTIFICATIONS_READ = "mutation($upTo: ID) { markNotificationsRead(upTo: $upTo) { id } }"
SET_LEVEL = """
mutation($groupId: ID!, $level: NotificationLevel!) {
  setNotificationLevel(groupId: $groupId, level: $level) { notificationLevel }
}
"""
