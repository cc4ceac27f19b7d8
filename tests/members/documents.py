"""The membership documents several tests send: moderating members, leaving, and listing them."""

SET_ROLE = """
mutation($groupId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: $role) { role status user { id } }
}
"""
TRANSFER = """
mutation($groupId: ID!, $userId: ID!) {
  transferOwnership(groupId: $groupId, userId: $userId) { id }
}
"""
REMOVE = """
mutation($groupId: ID!, $userId: ID!, $ban: Boolean! = false) {
  removeMember(groupId: $groupId, userId: $userId, ban: $ban) { status user { id } }
}
"""
UNBAN = """
mutation($groupId: ID!, $userId: ID!) { unbanMember(groupId: $groupId, userId: $userId) { status } }
"""
MUTE = """
mutation($groupId: ID!, $userId: ID!, $until: DateTime) {
  muteMember(groupId: $groupId, userId: $userId, until: $until) { isMuted mutedUntil }
}
"""
APPROVE = """
mutation($groupId: ID!, $userId: ID!) {
  approveMember(groupId: $groupId, userId: $userId) { status }
}
"""
REJECT = """
mutation($groupId: ID!, $userId: ID!) {
  rejectMember(groupId: $groupId, userId: $userId) { status }
}
"""
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { status } }"
MEMBERS = """
query($id: ID!, $status: MemberStatus = ACTIVE) {
  group(id: $id) {
    memberCount
    members(first: 100, status: $status) { edges { node { role status user { id } } } }
  }
}
"""
VIEWER_MEMBERSHIP = """
query($id: ID!) { group(id: $id) { viewerMembership { role status isMuted mutedUntil } } }
"""
