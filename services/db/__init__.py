"""Database: SQLAlchemy models and engine set-up (SQLite embedded, PostgreSQL by URL)."""

from services.db.engine import Database
from services.db.models import Base

__all__ = ["Base", "Database"]
