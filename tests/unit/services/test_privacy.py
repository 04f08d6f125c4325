"""Member fields at rest: sealed with AES-GCM per column; Fernet tokens from before still read."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from services.client import InProcessClient
from services.db.models import Member
from services.domain.privacy import SEALED, MemberCipher, _derive
from services.schemas import MemberCreate, StoreIn

SECRET = "a-test-member-secret-of-32-chars"


def test_a_field_is_sealed_and_reads_back():
    cipher = MemberCipher(SECRET)
    one, two = cipher.encrypt("Li Lei", "name"), cipher.encrypt("Li Lei", "name")
    assert one != two  # a fresh nonce each time: equal names do not show
    assert one[:1] == SEALED and b"Li Lei" not in one
    assert cipher.decrypt(one, "name") == cipher.decrypt(two, "name") == "Li Lei"


def test_the_phone_index_is_the_keyed_sha256_of_the_number_every_time():
    cipher = MemberCipher(SECRET)
    key = _derive(SECRET.encode(), b"storetwin phone index")
    for phone in ("13800138000", "13800138000", "+86 10 5555 0101", ""):
        expected = hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()
        assert cipher.phone_index(phone) == expected  # the stored indexes stay valid


def test_a_token_of_another_column_key_or_altered_is_refused():
    cipher = MemberCipher(SECRET)
    phone = cipher.encrypt("13812345678", "phone")
    with pytest.raises(ValueError, match="another key"):
        cipher.decrypt(phone, "name")  # a phone copied into the name column
    with pytest.raises(ValueError):
        MemberCipher("another-secret-of-32-characters!").decrypt(phone, "phone")
    altered = phone[:-1] + bytes([phone[-1] ^ 1])
    with pytest.raises(ValueError):
        cipher.decrypt(altered, "phone")


def test_fernet_tokens_written_before_still_read():
    legacy = Fernet(base64.urlsafe_b64encode(_derive(SECRET.encode(), b"storetwin member fields")))
    token = legacy.encrypt(b"Han Meimei")
    assert MemberCipher(SECRET).decrypt(token, "name") == "Han Meimei"


def test_members_written_as_fernet_before_are_still_found(db):
    client = InProcessClient(db, member_key=SECRET)
    client.register_store(StoreIn(id="S1", name="One", format="supermarket"))
    member = client.register_member(MemberCreate(store_id="S1", name="Li Lei", phone="13812345678"))
    legacy = Fernet(base64.urlsafe_b64encode(_derive(SECRET.encode(), b"storetwin member fields")))
    with db.sessions() as s:
        row = s.scalar(select(Member))
        assert row.name_enc[:1] == SEALED and row.phone_enc[:1] == SEALED
        # as an older release wrote them: both columns Fernet tokens
        s.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(name_enc=legacy.encrypt(b"Li Lei"), phone_enc=legacy.encrypt(b"13812345678"))
        )
        s.commit()
    found = client.find_member("13812345678")
    assert (found.id, found.name, found.phone_masked) == (member.id, "Li Lei", "138****5678")
    client.close()
