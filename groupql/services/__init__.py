"""The domain: rules and permissions, independent of GraphQL, a module per domain and the
helpers they share (clock, pagination, item content checks, session-key sealing)."""
