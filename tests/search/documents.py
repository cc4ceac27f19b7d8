"""What search tests send."""

HIT = """
fragment Hit on SearchHit {
  item { id seq type text author { id } }
  group { id }
  highlights { field start end optionId mediaIndex }
}
"""
GROUP_SEARCH = (
    """
query(
  $id: ID!, $q: String!, $first: Int, $after: String, $types: [ItemType!], $authorId: ID,
  $from: DateTime, $to: DateTime
) {
  group(id: $id) {
    search(
      query: $q, first: $first, after: $after, types: $types, authorId: $authorId,
      from: $from, to: $to
    ) {
      edges { cursor node { ...Hit } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + HIT
)
VIEWER_SEARCH = (
    """
query($q: String!, $first: Int, $after: String) {
  viewer {
    search(query: $q, first: $first, after: $after) {
      edges { cursor node { ...Hit } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + HIT
)
