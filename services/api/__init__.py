"""The HTTP API of the store services: one router per center over the domain."""
