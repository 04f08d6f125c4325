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
# The setters of BaseModel's four slots, called directly: ``object.__setattr__`` looks
# each name up on the class first (a store-day makes some 29,000 replies and lines).
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_new = object.__new__  # BaseModel defines no __new__ of its own


def reply(model: type[M], values: dict) -> M:
    """An instance of ``model`` holding ``values`` as given; they must name every field.

    What ``model_construct`` does, without its loop over defaults and aliases,
    which costs more than validating a small model.
    """
    made = _new(model)  # object's own: ``model.__new__`` looks it up through the metaclass
    _set_dict(made, values)
    _set_fields(made, set(values))
    _set_extra(made, None)
    _set_private(made, None)
    return made
