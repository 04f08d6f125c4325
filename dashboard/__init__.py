"""The Dash dashboard: one page per user job; it only reads results and the services API."""
