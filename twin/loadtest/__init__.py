"""The load test: twin traffic recorded, replayed on schedule through Locust, then checked.

``record`` turns a twin run into the HTTP calls its agents and devices made,
with their simulated times; ``locustfile`` replays them as an open-model
stream (Locust's CLI can run it alone or as master and workers); ``engine``
drives Locust as a library in a subprocess; ``report`` turns the samples into
percentiles, thresholds and the HTML page.
"""
