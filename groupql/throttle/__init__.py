"""Rate limits: how often one client or user may do a thing, shared by every instance."""

from groupql.throttle.rates import Rate, RateLimits, Throttle, in_process

__all__ = ["Rate", "RateLimits", "Throttle", "in_process"]
