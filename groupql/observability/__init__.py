"""What operators see of a running groupql: JSON logs, request ids and Prometheus metrics."""
