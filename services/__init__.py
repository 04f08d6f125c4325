"""Store services: the retail middle platform (products, stock, orders, payments, ...).

Nothing here imports the twin: agents and devices reach these services only
through ``services.client.StoreClient``.
"""
