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
