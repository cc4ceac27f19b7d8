"""groupql: a GraphQL API that gives WeChat mini-programs group collaboration."""
