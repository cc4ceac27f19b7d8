"""The invitation documents several tests send: creating, using, revoking and listing them."""

CREATE_INVITE = """
mutation($groupId: ID!, $maxUses: Int, $expiresAt: DateTime) {
  createInvite(groupId: $groupId, maxUses: $maxUses, expiresAt: $expiresAt) {
    id code maxUses uses expiresAt revokedAt createdAt createdBy { id }
  }
}
"""
JOIN_BY_INVITE = """
mutation($code: String!) {
  joinByInvite(code: $code) {
    groupCreated
    group { id kind memberCount }
    member { id role status user { id } }
  }
}
"""
REVOKE_INVITE = """
mutation($inviteId: ID!) { revokeInvite(inviteId: $inviteId) { id revokedAt } }
"""
INVITES = """
query($id: ID!) {
  group(id: $id) { invites { edges { node { id code uses maxUses revokedAt } } } }
}
"""
