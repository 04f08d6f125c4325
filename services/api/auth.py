"""Who may do what: HQ everything, a store its own store, a device telemetry, a member itself.

Handlers call one of these checks before touching the domain; each raises
Forbidden (403) with the reason.
"""

from __future__ import annotations

from services.domain.errors import Forbidden
from services.settings import Principal, Role

STAFF = (Role.hq, Role.store)


class Access:
    """The checks a handler makes on the caller's principal."""

    def __init__(self, principal: Principal):
        self.principal = principal

    @property
    def role(self) -> Role:
        """The caller's role."""
        return self.principal.role

    def hq(self) -> None:
        """Only HQ (chain-wide master data, chain reports, projects)."""
        if self.role != Role.hq:
            raise Forbidden(f"only HQ may do this, not a {self.role.value} key")

    def staff(self) -> None:
        """HQ or a store (reading the catalogue, store profiles)."""
        if self.role not in STAFF:
            raise Forbidden(f"a {self.role.value} key may not do this")

    def store(self, store_id: str | None) -> None:
        """HQ, or the store itself; ``None`` (the whole chain) is HQ only."""
        if self.role == Role.hq:
            return
        if store_id is None:
            raise Forbidden("only HQ may act for the whole chain")
        if self.role != Role.store or self.principal.store_id != store_id:
            raise Forbidden(f"this key may not act for store {store_id!r}")

    def member(self, member_id: int | None, store_id: str | None) -> None:
        """HQ, the member's home store, or the member itself (for an order: its member)."""
        p = self.principal
        if self.role == Role.member and member_id is not None and p.member_id == member_id:
            return
        if self.role == Role.member:
            raise Forbidden("a member key may only read its own data")
        self.store(store_id)

    def device(self, store_id: str, device_id: str) -> None:
        """HQ, the store, or a device key bound to that store (and device, if bound)."""
        p = self.principal
        if self.role == Role.device:
            if p.store_id not in (None, store_id) or p.device_id not in (None, device_id):
                raise Forbidden(f"this device key may not post for {store_id!r}/{device_id!r}")
            return
        self.store(store_id)
