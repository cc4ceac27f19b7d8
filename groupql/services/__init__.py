"""The domain: rules and permissions, independent of GraphQL. Each module is one domain."""
