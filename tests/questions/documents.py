"""The question documents several tests send: accepting an answer."""

ACCEPT = """
mutation($questionId: ID!, $answerId: ID!) {
  acceptAnswer(questionId: $questionId, answerId: $answerId) {
    id acceptedAnswer { id text author { id } }
  }
}
"""
