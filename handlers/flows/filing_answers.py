"""Reading what a person typed or sent at a wizard step: typed choices, the length and
shape of a section, and attached files (type, size, count, repeats).

Each check returns the note to show, or None when the answer is fine; nothing here
changes the conversation except ``attach``, which adds an accepted file.
"""

from __future__ import annotations

from handlers.context import Turn
from handlers.flows import filing_state as fs
from handlers.flows.filing_state import TextRule, Wizard
from handlers.flows.filing_steps import size_text
from handlers.messages import Attachment
from workflow.dossier import ProblemKind

# Typed answers accepted beside the buttons (compared lower-cased, without end punctuation).
NEXT_WORDS = {"xong", "tiếp", "tiếp tục", "tiep", "tiep tuc", "done", "next", "continue"}
SKIP_WORDS = {"bỏ qua", "bo qua", "không có", "khong co", "skip", "none"}
YES_WORDS = {"có", "đồng ý", "cam kết", "tôi cam kết", "xác nhận", "dong y", "cam ket",
             "toi cam ket", "xac nhan", "yes", "agree", "i agree", "i declare", "ok"}
NO_WORDS = {"không", "khong", "không đồng ý", "khong dong y", "no"}
SEND_WORDS = {"gửi", "gửi đi", "nộp", "gui", "nop", "send", "submit"}
# "chưa phù hợp" (not suited) must win over "chưa" (not yet): unsuited is checked first.
UNSUITED_WORDS = ("phù hợp", "phu hop", "unsuited", "suit")
NOT_REGULATED_WORDS = ("chưa", "chua", "not yet", "no rule")


def said(text: str) -> str:
    return " ".join(text.lower().strip(" .!?;:").split())


def kind_from_text(text: str) -> ProblemKind | None:
    words = said(text)
    if words.startswith("2") or any(w in words for w in UNSUITED_WORDS):
        return ProblemKind.REGULATED_UNSUITED
    if words.startswith("1") or any(w in words for w in NOT_REGULATED_WORDS):
        return ProblemKind.NOT_REGULATED
    return None


def text_problem(turn: Turn, rule: TextRule, value: str) -> str | None:
    """Why a typed section cannot be taken as it is, or None."""
    t = turn.t
    if len(value) < rule.minimum:
        return t("That is too short: {length} characters, and at least {minimum} are needed. "
                 "Please say a little more; there is an example below.",
                 length=len(value), minimum=rule.minimum)
    if len(value) > rule.maximum:
        return t("That is too long: {length} characters, and at most {maximum} are allowed. "
                 "Please shorten it, or put the details in an attached document.",
                 length=len(value), maximum=rule.maximum)
    if rule.needs_number and not any(ch.isdigit() for ch in value):
        return t("Please name the regulation precisely, with its number or year (and the "
                 "article if you can), so that the committee can find it.")
    return None


def attach(turn: Turn, wizard: Wizard, attachment: Attachment) -> str:
    """Add one file if it is acceptable; the note says what happened to it."""
    t = turn.t
    files = wizard.files
    ext = fs.extension_of(attachment.name, attachment.mime_type)
    name = attachment.name or t("file")
    if ext and not name.lower().endswith(f".{ext}"):
        name = f"{name}.{ext}"  # a photo sent without a name
    if any(f.get("file_id") == attachment.file_id or (
            attachment.sha256 and f.get("sha256") == attachment.sha256) for f in files):
        return t("“{name}” is already attached.", name=name)
    if ext is None:
        return t("“{name}” was not added: only pdf, doc, docx, xls, xlsx, jpg and png "
                 "files can be attached.", name=name)
    if attachment.size > fs.MAX_FILE_BYTES:
        return t("“{name}” was not added: it is {size}, and each file may be at most "
                 "{limit} MB. Please compress or split it.", name=name,
                 size=size_text(turn, attachment.size), limit=fs.MAX_FILE_BYTES // 2**20)
    if len(files) >= fs.MAX_FILES:
        return t("“{name}” was not added: a plan can have at most {limit} attached "
                 "files. Remove one first if this one matters more.", name=name,
                 limit=fs.MAX_FILES)
    # The platform keeps the file; where it came, its id, size, type and checksum
    # identify it later (and let it be sent on to those who read the dossier).
    files.append({"name": name, "file_id": attachment.file_id, "size": attachment.size,
                  "mime": attachment.mime_type, "sha256": attachment.sha256,
                  "channel": turn.inbound.channel,
                  "by": turn.person.id if turn.person else ""})
    wizard.data["dirty"] = True
    return t("Attached: {name} ({size}).", name=name, size=size_text(turn, attachment.size))


async def search(turn: Turn, wizard: Wizard, query: str) -> str | None:
    """Find possible co-proposers by name (not the proposer, not those already added)."""
    t = turn.t
    assert turn.person is not None
    query = " ".join(query.split())
    if len(query) < 2:
        return t("Please type at least two letters of the name.")
    chosen = {str(p.get("id")) for p in wizard.co_proposers} | {turn.person.id}
    people = await turn.services.directory.find_people(query, limit=6)
    found = [{"id": p.id, "name": p.name, "title": p.title}
             for p in people if p.id not in chosen][:5]
    wizard.data["found"] = found
    if not found:
        return t("Nobody else called “{query}” was found in your organisation. Check the "
                 "spelling (with diacritics), or type another part of the name.", query=query)
    return None
