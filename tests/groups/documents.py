"""The group documents several tests send: creating a group, changing it, counting its members."""

CREATE_GROUP = """
mutation($input: CreateGroupInput!) {
  createGroup(input: $input) {
    id kind openGId title joinPolicy memberCount
    viewerMembership { role status user { id } }
  }
}
"""
UPDATE_GROUP = "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }"
MEMBER_COUNT = "query($id: ID!) { group(id: $id) { memberCount } }"
