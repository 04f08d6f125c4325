"""Domain rules of the store services; they take a Session and know nothing of HTTP."""
