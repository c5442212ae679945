"""A reply the platform refused is kept in the outbox whole: its text, its buttons and
its files (a document the assistant made travels as its bytes), so the retry delivers
the draft too, not only the words announcing it."""

from __future__ import annotations

import json
from typing import Any

from handlers.messages import Attachment, Button, Reply, reply_from_json, reply_to_json
from handlers.notifications import render
from handlers.ports import PersonInfo

DOCX = b"PK\x03\x04" + bytes(range(256)) * 40


def a_reply() -> Reply:
    made = Attachment.made("du-thao-cong-van-tra-loi-so-7.docx", DOCX,
                           "application/vnd.openxmlformats-officedocument"
                           ".wordprocessingml.document", elsewhere="cadrebot documents 7")
    sent = Attachment("AgADBAAD", "ke-hoach.pdf", "application/pdf", 5030, "ab" * 32)
    return Reply("Dự thảo công văn trả lời", ((Button("Ghi số", "p:n:7"),),), files=(made, sent))


def test_a_kept_reply_survives_json_with_its_files() -> None:
    reply = a_reply()
    stored: dict[str, Any] = json.loads(json.dumps(reply_to_json(reply)))
    back = reply_from_json(stored)
    assert back.text == reply.text and back.buttons == reply.buttons
    assert [f.content for f in back.files] == [DOCX, None]
    assert back.files == reply.files  # name, id, type, size, checksum
    assert back.files[0].elsewhere == "cadrebot documents 7"


def test_an_older_kept_reply_without_files_still_reads() -> None:
    back = reply_from_json({"text": "Xin chào", "buttons": [[["Menu", "m"]]]})
    assert back == Reply("Xin chào", ((Button("Menu", "m"),),))


async def test_the_notifier_renders_the_kept_reply_with_its_files() -> None:
    person = PersonInfo(id="ho-van-nam", name="Hồ Văn Nam", language="vi")
    reply = await render(None, person, {"reply": reply_to_json(a_reply())})  # type: ignore[arg-type]
    assert reply.files[0].content == DOCX and reply.text == "Dự thảo công văn trả lời"
