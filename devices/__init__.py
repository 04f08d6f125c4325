"""Devices of the twin (cameras, ESL, smart shelves, self-checkout, ...).

Every device reports an observation and the truth behind it.
"""
