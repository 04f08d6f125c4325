"""The in-process client reads its clock only for a request that has no time of its own."""

import datetime as dt

from services.client import InProcessClient
from services.schemas import CheckoutLine, CheckoutRequest, MemberCreate, PaymentMethod

from .conftest import AT

CLOCK = dt.datetime(2026, 3, 3, 8, 0)


def test_a_timed_request_reads_no_clock_an_untimed_one_the_clock(db, shop):
    reads: list[dt.datetime] = []

    def clock() -> dt.datetime:
        reads.append(CLOCK)
        return CLOCK

    client = InProcessClient(db, clock=clock)
    try:
        line = [CheckoutLine(sku="MILK", qty=1)]
        timed = CheckoutRequest(
            store_id="S1", lines=line, payment_method=PaymentMethod.cash, idempotency_key="t", at=AT
        )
        member = MemberCreate(store_id="S1", phone="13800000001", name="Ann", at=AT)
        assert client.checkout(timed).order_id > 0
        assert client.register_member(member).registered_at == AT
        assert reads == []  # the requests' own times: the clock is not asked
        untimed = timed.model_copy(update={"idempotency_key": "u", "at": None})
        first = client.checkout(untimed)
        assert reads == [CLOCK]
        assert client.get_order(first.order_id).created_at == CLOCK
        other = member.model_copy(update={"phone": "13800000002", "at": None})
        assert client.register_member(other).registered_at == CLOCK
        assert len(reads) == 2
    finally:
        client.close()
