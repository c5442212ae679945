"""The record that protects: one file holding everything a dossier went through, checked
against the audit trail (``cadrebot dossier record``, ``cadrebot audit verify --record``).

``gather_record`` reads the dossier, its plan and history, its ballots and votes (who,
how, when, with what comment), the written duties it created, the files received with it
(name, size, type, SHA-256; never the chat platform's file id) and the audit records that
name it. ``record_zip`` writes them as a zip:

- ``record.json``: the record as data (sorted keys, UTF-8, times in ISO 8601, UTC);
- ``record.docx``: the same for a reader (``storage.record_docx``), Vietnamese by default;
- ``documents/<name>``: the dossier's official documents, as the caller gives them;
- ``README.txt``: what the file is and how it is checked;
- ``SHA256SUMS``: the SHA-256 of every member above (``sha256sum -c SHA256SUMS``);
- ``SHA256SUMS.seal``: an HMAC-SHA256 of SHA256SUMS under a key derived from the
  installation's audit key, so that a member changed and re-hashed is still told apart.

The verification code is the first 20 hexadecimal digits (upper case, in groups of four)
of the SHA-256 of the record's audit hashes written one after another in order: anyone
can recompute it from record.json, and since the chain's hashes are keyed they match the
trail only if the records do. ``verify_record`` checks the whole file against the trail.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.codec import dump
from storage.documents import SqlDocuments
from storage.dossier_models import AttachmentRow, BallotRow
from storage.models import AuditRecord, Body, Person
from storage.uow import SqlBallots, SqlDossiers, SqlObligations
from workflow.voting import Ballot

if TYPE_CHECKING:
    from handlers.i18n import Translator

FORMAT = "cadrebot.dossier-record"
FORMAT_VERSION = 1
RECORD_JSON = "record.json"
RECORD_DOCX = "record.docx"
README = "README.txt"
MANIFEST = "SHA256SUMS"
MANIFEST_SEAL = "SHA256SUMS.seal"
DOCUMENTS = "documents/"
CODE_DIGITS = 20
CODE_METHOD = ("SHA-256 of the audit records' hashes (lower-case hex) written one after "
               "another in order of seq; the first 20 hex digits, upper case, in groups of 4")
# Kept out of the record: a chat platform's file id lets a holder of the bot's token fetch
# the file, and says nothing a checksum does not.
REDACTED = ("file_id",)
_SEAL_CONTEXT = b"cadrebot dossier record: SHA256SUMS seal, version 1"
_AUDIT_FIELDS = ("seq", "at", "actor", "action", "dossier_id", "payload", "prev_hash", "hash")
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


def iso(value: datetime | None) -> str | None:
    """A time as the record writes it: UTC, microseconds, as the audit chain hashes it."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def verification_code(hashes: Iterable[str]) -> str:
    """``ABCD-EFGH-IJKL-MNOP-QRST`` from the audit hashes, in order (see the module)."""
    digest = hashlib.sha256("".join(hashes).encode()).hexdigest()[:CODE_DIGITS].upper()
    return "-".join(digest[i:i + 4] for i in range(0, CODE_DIGITS, 4))


def redact(value: Any) -> Any:
    """``value`` without the keys the record never holds (at any depth)."""
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items() if k not in REDACTED}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def canonical_json(data: Any) -> bytes:
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()


def audit_entry(record: AuditRecord) -> dict[str, Any]:
    """An audit record as the record file holds it."""
    return {"seq": record.seq, "at": iso(record.at), "actor": record.actor,
            "action": record.action, "dossier_id": record.dossier_id,
            "payload": redact(record.payload), "prev_hash": record.prev_hash,
            "hash": record.hash}


@dataclass(frozen=True)
class DossierRecord:
    """What ``record.json`` holds, except the official documents (given to ``record_zip``)."""

    dossier_id: int
    generated_at: datetime
    data: dict[str, Any]
    # The seal of the trail it was read from: SHA256SUMS is sealed under its key.
    seal: audit.Seal = field(repr=False, compare=False)

    @property
    def audit(self) -> list[dict[str, Any]]:
        return list(self.data["audit"])

    @property
    def verification_code(self) -> str:
        return verification_code(entry["hash"] for entry in self.data["audit"])

    def as_json(self, documents: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        return {**self.data, "documents": list(documents),
                "verification_code": self.verification_code}


async def dossier_documents(session: AsyncSession, dossier_id: int) -> list[tuple[str, bytes]]:
    """The dossier's official documents as (file name, content), to go into its record.

    Filled from the table of recorded documents (``storage.documents``); each one's
    SHA-256 goes into the record's manifest and JSON.
    """
    documents = SqlDocuments(session)
    found = []
    for record in await documents.for_dossier(dossier_id):
        content = await documents.content(record.id)
        if content is not None:
            found.append((record.file_name, content))
    return found


def _ballot(ballot: Ballot, body: str) -> dict[str, Any]:
    votes = sorted(ballot.votes.items(), key=lambda item: (item[1].at, item[0]))
    return {
        "id": ballot.id, "route_body": ballot.body, "body": body, "purpose": ballot.purpose,
        "rule": ballot.rule.id, "members": sorted(ballot.voters.members),
        "voters": sorted(ballot.voters.voters), "base": ballot.voters.base,
        "opened_at": iso(ballot.opened_at), "closes_at": iso(ballot.closes_at),
        "closed_at": iso(ballot.closed_at),
        "outcome": ballot.outcome.value if ballot.outcome else None,
        "automatic": ballot.automatic, "cancelled": ballot.cancelled,
        "votes": [{"person": person, "choice": vote.choice.value, "at": iso(vote.at),
                   "comment": vote.comment} for person, vote in votes],
    }


async def gather_record(session: AsyncSession, dossier_id: int, *,
                        now: datetime | None = None) -> DossierRecord | None:
    """Everything the record of ``dossier_id`` holds, or None when there is no such dossier."""
    dossier = await SqlDossiers(session).get(dossier_id)
    if dossier is None:
        return None
    seal = audit.session_seal(session)
    repository = SqlBallots(session)
    ballots: list[Ballot] = []
    for ballot_id in (await session.execute(
            select(BallotRow.id).where(BallotRow.dossier_id == dossier_id)
            .order_by(BallotRow.id))).scalars():
        ballot = await repository.get(ballot_id)
        if ballot is not None:
            ballots.append(ballot)
    obligations = await SqlObligations(session).for_dossier(dossier_id)
    files = (await session.execute(select(AttachmentRow).where(
        AttachmentRow.dossier_id == dossier_id).order_by(AttachmentRow.id))).scalars().all()
    trail = (await session.execute(select(AuditRecord).where(
        AuditRecord.dossier_id == dossier_id).order_by(AuditRecord.seq))).scalars().all()

    whole = dump(dossier)
    data: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "generated_at": iso(now or datetime.now(UTC)), "dossier_id": dossier_id,
        "dossier": redact({k: v for k, v in whole.items() if k not in ("plan", "history")}),
        "plan": redact(whole["plan"]),
        "history": [{"seq": seq, "action": step.action,
                     "from_state": step.from_state.value if step.from_state else None,
                     "to_state": step.to_state.value, "by": step.by, "at": iso(step.at),
                     "note": step.note}
                    for seq, step in enumerate(dossier.history, start=1)],
        "ballots": [_ballot(b, dossier.body(b.body)) for b in ballots],
        "obligations": [dump(o) for o in obligations],
        "attachments": [{"name": f.name, "size": f.size, "mime_type": f.mime_type,
                         "sha256": f.sha256, "purpose": f.purpose, "round": f.round,
                         "channel": f.channel, "by": f.person_id,
                         "received_at": iso(f.created_at)} for f in files],
        "audit": [audit_entry(r) for r in trail],
        "redacted": list(REDACTED),
        "verification_method": CODE_METHOD,
    }
    people = {dossier.proposer, *dossier.co_proposers, *(s.by for s in dossier.history),
              *(f.person_id for f in files if f.person_id), *(r.actor for r in trail if r.actor)}
    for ballot in ballots:
        people |= set(ballot.voters.members) | set(ballot.votes)
    found = (await session.execute(select(Person).where(Person.id.in_(sorted(people))))
             ).scalars().all()
    data["people"] = {p.id: {"name": p.name, "title": p.title} for p in found}
    body_ids = {dossier.body(b) for b in dossier.route.body_ids()} | {
        b["body"] for b in data["ballots"]}
    data["bodies"] = {b.id: b.name for b in (await session.execute(
        select(Body).where(Body.id.in_(sorted(body_ids))))).scalars()}
    when = datetime.fromisoformat(data["generated_at"])
    return DossierRecord(dossier_id, when, data, seal)


# --- the file --------------------------------------------------------------------------

def _member_names(documents: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The documents under ``documents/``, each name one plain, unique file name."""
    named: list[tuple[str, bytes]] = []
    taken: set[str] = set()
    for number, (name, content) in enumerate(documents, start=1):
        # A reference such as 15-NQ/ĐU keeps its words; no folder, no hidden file.
        plain = re.sub(r"[\x00-\x1f\x7f]", "", re.sub(r"[/\\]", "-", name))
        plain = plain.strip().lstrip(".- ") or f"document-{number}"
        stem, dot, ext = plain.rpartition(".")
        candidate, copy = plain, 1
        while candidate.casefold() in taken:
            copy += 1
            candidate = f"{stem} ({copy}).{ext}" if dot and stem else f"{plain} ({copy})"
        taken.add(candidate.casefold())
        named.append((DOCUMENTS + candidate, content))
    return named


def _seal_manifest(seal: audit.Seal, manifest: bytes) -> str:
    key = hmac.new(seal.key, _SEAL_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def record_zip(record: DossierRecord, documents: Sequence[tuple[str, bytes]],
               t: Translator) -> bytes:
    """The record file: record.json, record.docx, the documents, a README and the manifest
    with its seal (see the module)."""
    from storage.record_docx import readme, render_docx

    named = _member_names(documents)
    data = record.as_json([{"name": name[len(DOCUMENTS):], "size": len(content),
                            "sha256": hashlib.sha256(content).hexdigest()}
                           for name, content in named])
    members = [(RECORD_JSON, canonical_json(data)), (RECORD_DOCX, render_docx(data, t)),
               *named, (README, readme(data, t).encode())]
    manifest = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n"
                       for name, content in members).encode()
    members += [(MANIFEST, manifest),
                (MANIFEST_SEAL, f"HMAC-SHA256 {_seal_manifest(record.seal, manifest)}\n"
                 .encode())]
    stamp = record.generated_at.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


# --- checking a file against the trail -------------------------------------------------

class RecordUnreadable(ValueError):
    """The bytes are not a dossier record at all (not a zip, or no manifest in it)."""


@dataclass(frozen=True)
class RecordCheck:
    """What ``verify_record`` found: ok, or the first problem in a short English detail."""

    ok: bool
    dossier_id: int | None = None
    code: str | None = None
    checked: int = 0  # the record's audit records found unchanged in the trail
    later: int = 0  # records the trail has added for the dossier since the record was made
    problem: str | None = None


def _read_members(data: bytes) -> tuple[dict[str, bytes | None], list[str]]:
    """Each member's content (None for one whose compressed data is damaged), and the
    members' names as the archive lists them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise RecordUnreadable(f"not a zip archive ({exc})") from None
    members: dict[str, bytes | None] = {}
    with archive:
        names = archive.namelist()
        for name in names:
            try:
                members[name] = archive.read(name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
                members[name] = None
    if MANIFEST not in members:
        raise RecordUnreadable(f"not a dossier record: there is no {MANIFEST} in it")
    return members, names


def _check_manifest(members: dict[str, bytes | None], seal: audit.Seal) -> str | None:
    manifest = members[MANIFEST]
    if manifest is None:
        return f"{MANIFEST} is damaged"
    listed: dict[str, str] = {}
    for number, line in enumerate(manifest.decode("utf-8", "replace").splitlines(), start=1):
        match = _SUM_LINE.match(line)
        if match is None:
            return f"line {number} of {MANIFEST} is not a checksum line"
        listed[match.group(2)] = match.group(1)
    for name, expected in listed.items():
        if name not in members:
            return f"{name} is listed in {MANIFEST} but missing"
        content = members[name]
        if content is None:
            return f"{name} is damaged"
        if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), expected):
            return f"{name} was changed (its SHA-256 differs from {MANIFEST})"
    for name in members:
        if name not in listed and name not in (MANIFEST, MANIFEST_SEAL):
            return f"{name} is not listed in {MANIFEST}"
    if RECORD_JSON not in listed:
        return f"{RECORD_JSON} is not listed in {MANIFEST}"
    sealed = (members.get(MANIFEST_SEAL) or b"").decode("ascii", "replace").split()
    if len(sealed) != 2 or sealed[0] != "HMAC-SHA256" or not hmac.compare_digest(
            sealed[1], _seal_manifest(seal, manifest)):
        return (f"{MANIFEST_SEAL} does not match: the file was not made by this installation, "
                "or it was changed and re-hashed")
    return None


def _audit_problem(entry: dict[str, Any], row: AuditRecord | None) -> str | None:
    seq = entry.get("seq")
    if row is None:
        return f"audit record {seq} is not in the trail"
    differs = [name for name in _AUDIT_FIELDS if audit_entry(row)[name] != entry.get(name)]
    if differs:
        return f"audit record {seq} differs from the trail ({', '.join(differs)})"
    return None


def _content_problem(data: dict[str, Any]) -> str | None:
    """The facts record.json states that the trail also holds, compared with its records."""
    entries: list[dict[str, Any]] = data["audit"]
    position = 0
    for step in data["history"]:
        while position < len(entries):
            entry, position = entries[position], position + 1
            payload = entry["payload"]
            if (entry["action"], entry["actor"], entry["at"]) == (
                    step["action"], step["by"], step["at"]) and payload.get("to") == step[
                    "to_state"] and payload.get("from") == step["from_state"] and payload.get(
                    "note", "") == step["note"]:
                break
        else:
            return f"history step {step['seq']} ({step['action']}) matches no audit record"
    for ballot in data["ballots"]:
        for vote in ballot["votes"]:
            cast = [e for e in entries if e["action"] == "vote_cast"
                    and e["actor"] == vote["person"]
                    and e["payload"].get("ballot") == ballot["id"]]
            last = cast[-1] if cast else None
            if last is None or (last["at"], last["payload"].get("choice"),
                                last["payload"].get("comment", "")) != (
                    vote["at"], vote["choice"], vote["comment"]):
                return (f"the vote of {vote['person']} on ballot {ballot['id']} does not "
                        "match its audit record")
    # Names are kept to 300 characters in the attachments table, whole in the trail.
    sent = {(str(f.get("name"))[:300], f.get("size"), f.get("sha256"), f.get("channel"))
            for e in entries for f in e["payload"].get("files", ()) if isinstance(f, dict)}
    for file in data["attachments"]:
        if (file["name"], file["size"], file["sha256"], file["channel"]) not in sent:
            return f"the file {file['name']} matches no audit record"
    return None


async def verify_record(session: AsyncSession, data: bytes) -> RecordCheck:
    """Check a record file: every member against the manifest and its seal, the
    verification code, each audit record against the trail (same seq, content and hash,
    none of the dossier's left out), the trail itself, and what the record says of the
    history, the votes and the files against those audit records.

    Raises RecordUnreadable when ``data`` is not a dossier record at all.
    """
    members, names = _read_members(data)
    seal = audit.session_seal(session)
    twice = sorted({name for name in names if names.count(name) > 1})
    # Two members of one name: readers could disagree on which one the record holds.
    problem = (f"{twice[0]} is in the archive twice" if twice
               else _check_manifest(members, seal))
    if problem:
        return RecordCheck(False, problem=problem)
    try:
        record = json.loads(members[RECORD_JSON] or b"")
        if record.get("format") != FORMAT or record.get("format_version") != FORMAT_VERSION:
            return RecordCheck(False, problem=f"{RECORD_JSON} is not a record this version "
                                              "reads")
        dossier_id = int(record["dossier_id"])
        entries: list[dict[str, Any]] = list(record["audit"])
        code = verification_code(str(entry["hash"]) for entry in entries)
        seqs = [entry["seq"] for entry in entries]
        stated = record["verification_code"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return RecordCheck(False, problem=f"{RECORD_JSON} cannot be read ({exc!r})")
    if stated != code:
        return RecordCheck(False, dossier_id, code, problem=(
            f"the verification code {stated} does not follow from the audit records "
            f"({code})"))
    if not all(type(seq) is int for seq in seqs) or seqs != sorted(set(seqs)):
        return RecordCheck(False, dossier_id, code, problem="the audit records are not in "
                                                            "order")
    rows = {r.seq: r for r in (await session.execute(
        select(AuditRecord).where(AuditRecord.seq.in_(seqs)))).scalars()} if seqs else {}
    for checked, entry in enumerate(entries):
        problem = _audit_problem(entry, rows.get(entry["seq"]))
        if problem:
            return RecordCheck(False, dossier_id, code, checked, problem=problem)
    last = seqs[-1] if seqs else 0
    left_out = (await session.execute(
        select(AuditRecord.seq).where(AuditRecord.dossier_id == dossier_id,
                                      AuditRecord.seq <= last,
                                      AuditRecord.seq.not_in(seqs))
        .order_by(AuditRecord.seq).limit(1))).scalar()
    if left_out is not None:
        return RecordCheck(False, dossier_id, code, len(entries), problem=(
            f"the trail holds audit record {left_out} of this dossier, which the record "
            "leaves out"))
    later = int(await session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.dossier_id == dossier_id, AuditRecord.seq > last)) or 0)
    trail = await audit.verify(session)
    if not trail.ok:
        return RecordCheck(False, dossier_id, code, len(entries), later, problem=(
            f"the audit trail itself is broken at record {trail.first_bad_seq}: "
            f"{trail.problem}"))
    try:
        problem = _content_problem(record)
    except (KeyError, TypeError, AttributeError) as exc:
        problem = f"{RECORD_JSON} cannot be read ({exc!r})"
    if problem:
        return RecordCheck(False, dossier_id, code, len(entries), later, problem=problem)
    return RecordCheck(True, dossier_id, code, len(entries), later)
