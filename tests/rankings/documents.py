"""What ranking tests send: steps, opting in, metrics, scores, rankings and their live events."""

SUBMIT_STEPS = """
mutation($encryptedData: String!, $iv: String!) {
  submitWeRunData(encryptedData: $encryptedData, iv: $iv) { refreshedAt days { day steps } }
}
"""
OPT_IN = """
mutation($groupId: ID!, $steps: Boolean!) {
  setRankingOptIn(groupId: $groupId, steps: $steps) { ranksSteps user { id } }
}
"""
RANKS_STEPS = """
query($id: ID!) {
  group(id: $id) {
    viewerMembership { ranksSteps }
    members(first: 50) { edges { node { ranksSteps user { id } } } }
  }
}
"""
DEFINE_METRIC = """
mutation(
  $groupId: ID!, $key: String!, $name: String!, $aggregation: Aggregation! = SUM, $unit: String
) {
  defineMetric(groupId: $groupId, key: $key, name: $name, aggregation: $aggregation, unit: $unit) {
    key name aggregation unit builtIn
  }
}
"""
METRICS = "query($id: ID!) { group(id: $id) { metrics { key name aggregation unit builtIn } } }"
RECORD_SCORE = """
mutation($groupId: ID!, $metric: String!, $value: Float!, $clientId: String!, $userId: ID) {
  recordScore(
    groupId: $groupId, metric: $metric, value: $value, clientId: $clientId, userId: $userId
  ) {
    isNew value day recordedAt metric { key aggregation } member { user { id } }
  }
}
"""
ENTRY = "fragment Entry on RankingEntry { rank score stale member { user { id } } }"
RANKING = (
    """
query(
  $id: ID!, $metric: String!, $period: RankingPeriod! = DAY, $date: Date, $first: Int,
  $after: String
) {
  group(id: $id) {
    ranking(metric: $metric, period: $period, date: $date, first: $first, after: $after) {
      metric { key }
      period periodStart periodEnd participantCount
      viewerEntry { ...Entry }
      entries { edges { cursor node { ...Entry } } pageInfo { hasNextPage endCursor } }
    }
  }
}
"""
    + ENTRY
)
RANKING_FEED = """
subscription($groupId: ID!) {
  groupFeed(groupId: $groupId) {
    __typename
    ... on RankingChanged { metric period date }
    ... on MemberJoined { member { status user { id } } }
  }
}
"""
