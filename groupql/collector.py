"""Python's garbage collector, tuned for a server process once it has started.

What the app builds at start-up (the schema, the services, imported modules: ~100k objects)
lives as long as the process; a full collection walked all of it every few dozen requests (a
profile of the group page found 15-23 % of its CPU there, and half of a 1,000-socket fan-out's).
So, once started, the collector is told to leave those objects alone (`gc.freeze()`), and to
collect the young generation less often: a GraphQL response makes thousands of short-lived
objects, and CPython's default (every 700 allocations) ran a collection several times per
request. Reference counting still frees almost everything at once; only cycles wait for a
collection, bounded by the thresholds below (a few MB at most).

Only `groupql serve` does this (`create_app(tune_collector=True)`): a process that builds many
apps, as the tests do, must not freeze one app's garbage for the next.
"""

import gc

# (generation 0 allocations, generation 0 collections per generation 1, generation 1 per 2).
THRESHOLDS = (20_000, 20, 20)


def settle_after_start() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
