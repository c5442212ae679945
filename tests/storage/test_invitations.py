"""Invitation codes: unique, stored only hashed, re-issued on demand, redeemed once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import audit
from storage.db import session_factory
from storage.invitations import (
    ALPHABET,
    IssuedInvitation,
    RedeemStatus,
    Redemption,
    UnknownPeople,
    hash_code,
    issue_invitations,
    normalise_code,
    redeem,
)
from storage.models import AuditRecord, Base, ChatAccount, Invitation
from storage.organisation import demo_text, import_chart, parse_org_text

ORG = "duc-pho-demo"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def demo(engine: AsyncEngine) -> AsyncEngine:
    async with session_factory(engine)() as session, session.begin():
        await import_chart(session, parse_org_text(demo_text("duc-pho-2022")))
    return engine


async def _issue(engine: AsyncEngine, people: list[str] | None = None,
                 now: datetime = NOW) -> list[IssuedInvitation]:
    async with session_factory(engine)() as session, session.begin():
        return await issue_invitations(session, ORG, person_ids=people, now=now)


async def _redeem(engine: AsyncEngine, code: str, external_id: str = "1001",
                  now: datetime = NOW) -> Redemption:
    async with session_factory(engine)() as session, session.begin():
        return await redeem(session, code, channel="telegram", external_id=external_id,
                            chat_id=external_id, now=now)


async def test_each_person_gets_a_unique_code(demo: AsyncEngine) -> None:
    issued = await _issue(demo)
    assert len(issued) == 55
    codes = [normalise_code(i.code) for i in issued]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    lan = next(i for i in issued if i.person == "nguyen-thi-lan")
    assert lan.name == "Nguyễn Thị Lan" and lan.roles == (("member", "cb-mn-pho-chau"),)
    assert lan.expires_at == NOW + timedelta(days=30)


async def test_only_a_hash_of_each_code_is_stored(demo: AsyncEngine) -> None:
    issued = await _issue(demo)
    dump = []
    async with demo.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(text(f"SELECT * FROM {table.name}"))).all()
            dump.extend(str(value) for row in rows for value in row)
        hashes = set((await connection.execute(select(Invitation.code_hash))).scalars())
    everything = "\n".join(dump).upper()
    for invitation in issued:
        assert invitation.code.upper() not in everything
        assert normalise_code(invitation.code) not in everything
        # Keyed: the plain SHA-256 of a code is nowhere; its HMAC under the key is stored.
        assert hashlib.sha256(normalise_code(invitation.code).encode()).hexdigest() \
            not in everything.lower()
        seal = audit.seal_of(demo)
        assert seal is not None and hash_code(invitation.code, seal) in hashes


async def test_running_again_replaces_the_codes_and_the_new_ones_work(
        demo: AsyncEngine) -> None:
    first = {i.person: i.code for i in await _issue(demo)}
    second = {i.person: i.code for i in await _issue(demo, now=NOW + timedelta(minutes=5))}
    assert set(first) == set(second)
    later = NOW + timedelta(minutes=10)
    assert (await _redeem(demo, first["nguyen-thi-lan"], now=later)).status \
        is RedeemStatus.EXPIRED
    result = await _redeem(demo, second["nguyen-thi-lan"], now=later)
    assert result.ok and result.person_id == "nguyen-thi-lan"
    other = await _redeem(demo, second["pham-van-hung"], external_id="1002", now=later)
    assert other.ok


async def test_re_issuing_one_person_leaves_the_others_codes_alone(demo: AsyncEngine) -> None:
    first = {i.person: i.code for i in await _issue(demo)}
    again = await _issue(demo, ["nguyen-thi-lan"])
    assert [i.person for i in again] == ["nguyen-thi-lan"]
    assert (await _redeem(demo, first["pham-van-hung"])).ok
    assert (await _redeem(demo, first["nguyen-thi-lan"], "1002")).status \
        is RedeemStatus.EXPIRED
    with pytest.raises(UnknownPeople, match="nobody"):
        await _issue(demo, ["nobody"])


async def test_a_code_links_the_chat_account_once(demo: AsyncEngine) -> None:
    code = next(i.code for i in await _issue(demo) if i.person == "nguyen-thi-lan")
    typed = normalise_code(code).lower()[:4] + " " + normalise_code(code).lower()[4:]
    result = await _redeem(demo, typed)
    assert result.status is RedeemStatus.LINKED and result.person_id == "nguyen-thi-lan"
    async with session_factory(demo)() as session:
        account = (await session.execute(select(ChatAccount))).scalar_one()
        assert (account.channel, account.external_id, account.person_id, account.chat_id) == (
            "telegram", "1001", "nguyen-thi-lan", "1001")
        invitation = (await session.execute(select(Invitation).where(
            Invitation.used_at.is_not(None)))).scalar_one()
        assert invitation.used_by_account_id == result.account_id == account.id
        actions = list((await session.execute(
            select(AuditRecord.action).order_by(AuditRecord.seq))).scalars())
        assert actions[-1] == "account_linked"
    assert (await _redeem(demo, code, "1002")).status is RedeemStatus.USED


async def test_a_wrong_code_is_unknown(demo: AsyncEngine) -> None:
    await _issue(demo)
    assert (await _redeem(demo, "AAAA-AAAA")).status is RedeemStatus.UNKNOWN
    assert (await _redeem(demo, "hello")).status is RedeemStatus.UNKNOWN
    assert (await _redeem(demo, "")).status is RedeemStatus.UNKNOWN
    async with session_factory(demo)() as session:
        assert (await session.execute(select(ChatAccount))).first() is None


async def test_an_expired_code_is_refused(demo: AsyncEngine) -> None:
    code = (await _issue(demo, ["nguyen-thi-lan"]))[0].code
    result = await _redeem(demo, code, now=NOW + timedelta(days=30))
    assert result.status is RedeemStatus.EXPIRED and not result.ok
    assert (await _redeem(demo, code, now=NOW + timedelta(days=29, hours=23))).ok


async def test_an_account_linked_to_someone_else_is_not_taken_over(demo: AsyncEngine) -> None:
    codes = {i.person: i.code for i in await _issue(demo)}
    assert (await _redeem(demo, codes["nguyen-thi-lan"])).ok
    result = await _redeem(demo, codes["pham-van-hung"])  # same Telegram account
    assert result.status is RedeemStatus.ACCOUNT_TAKEN and result.person_id == "nguyen-thi-lan"
    # The code was not spent: its owner can still use it from their own account.
    assert (await _redeem(demo, codes["pham-van-hung"], "1002")).ok


async def test_a_person_may_link_a_second_account(demo: AsyncEngine) -> None:
    assert (await _redeem(demo, (await _issue(demo, ["nguyen-thi-lan"]))[0].code)).ok
    code = (await _issue(demo, ["nguyen-thi-lan"], now=NOW + timedelta(hours=1)))[0].code
    async with session_factory(demo)() as session, session.begin():
        result = await redeem(session, code, channel="zalo", external_id="z-9",
                              now=NOW + timedelta(hours=2))
    assert result.ok
