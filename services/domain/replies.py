"""Replies the domain builds from values it already holds valid, made without validating them.

A receipt's lines come from the price book, its totals from the pricing engine,
its ids from the database: pydantic's checks would only confirm them, at a few
microseconds a line, on every sale of a store-day. In process the caller gets
the object validation would have made (``tests/unit/services/test_replies.py``
holds them equal); over HTTP FastAPI still validates every reply against its
schema before sending it, so nothing leaves the services unchecked.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def reply(model: type[M], values: dict) -> M:
    """An instance of ``model`` holding ``values`` as given; they must name every field.

    What ``model_construct`` does, without its loop over defaults and aliases,
    which costs more than validating a small model.
    """
    made = model.__new__(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
