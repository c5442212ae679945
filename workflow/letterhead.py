"""Who a document is issued by, as its letterhead says it: read from the organisation
chart (the body and the bodies above it) and the bodies' Vietnamese names.

Hướng dẫn 36-HD/VPTW: a party document names the issuing committee ("ĐẢNG ỦY XÃ TÂN
PHƯỚC"), with the party organisation it is directly under above it ("ĐẢNG BỘ TỈNH QUẢNG
NGÃI"); what the standing board, the standing members, the secretary or the office issue
carries the committee's name and code, the signing line says on whose behalf. A party
cell's document names the cell under its đảng bộ.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from workflow.documents import Layout
from workflow.organisation import OrgBody

# Packs whose plans are decided by state agencies (Nghị định 73/2023/NĐ-CP): their papers
# follow Nghị định 30/2020/NĐ-CP.
STATE_PACKS = frozenset({"nd73-2023"})

# A committee's name -> (its code in a document number, its party organisation's word,
# the word of the collective it signs for).
_COMMITTEES: tuple[tuple[str, str, str, str], ...] = (
    ("tỉnh ủy", "TU", "đảng bộ tỉnh", "tỉnh ủy"),
    ("thành ủy", "TU", "đảng bộ thành phố", "thành ủy"),
    ("thị ủy", "TU", "đảng bộ thị xã", "thị ủy"),
    ("huyện ủy", "HU", "đảng bộ huyện", "huyện ủy"),
    ("quận ủy", "QU", "đảng bộ quận", "quận ủy"),
    ("đảng ủy", "ĐU", "đảng bộ", "đảng ủy"),
    ("chi bộ", "CB", "chi bộ", "chi bộ"),
)
# What is said before a committee's name in the name of one of its bodies.
_WITHIN = re.compile(r"^(ban thường vụ|thường trực|văn phòng|bí thư|phó bí thư|"
                     r"ban xây dựng đảng|ủy ban kiểm tra|ban tổ chức|ban tuyên giáo)\s+",
                     re.IGNORECASE)
_PLACE = re.compile(r"^(xã|phường|thị trấn|thị xã|huyện|quận|tỉnh|thành phố)\s+",
                    re.IGNORECASE)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _committee_of(name: str) -> tuple[str, tuple[str, str, str, str]] | None:
    """"Ban Thường vụ Đảng ủy xã Tân Phước" -> ("Đảng ủy xã Tân Phước", its entry)."""
    rest = _nfc(name)
    while (found := _WITHIN.match(rest)) is not None:
        rest = rest[found.end():]
    lowered = rest.lower()
    for entry in _COMMITTEES:
        if lowered.startswith(entry[0]):
            return rest, entry
    return None


def _place_of(rest: str) -> str:
    """"xã Tân Phước" -> "Tân Phước"; "Quảng Ngãi" stays."""
    found = _PLACE.match(rest)
    return rest[found.end():] if found else rest


@dataclass(frozen=True)
class Letterhead:
    layout: Layout
    superior: str  # caps: "ĐẢNG BỘ TỈNH QUẢNG NGÃI"; "" when none is known
    issuer: str  # caps: "ĐẢNG ỦY XÃ TÂN PHƯỚC"
    issuer_code: str  # "ĐU"
    place: str  # "Tân Phước"
    collective: str  # the collective's word in a signing line: "ĐẢNG ỦY", "CHI BỘ"


def _organisation(committee: str, entry: tuple[str, str, str, str]) -> str:
    """"Đảng ủy xã Tân Phước" -> "Đảng bộ xã Tân Phước"; "Tỉnh ủy Quảng Ngãi" ->
    "Đảng bộ tỉnh Quảng Ngãi"."""
    rest = committee[len(entry[0]):].strip()
    if entry[0] == "chi bộ":
        return committee
    return f"{entry[2]} {rest}".strip()


def letterhead(line: Sequence[OrgBody], pack_id: str) -> Letterhead:
    """The letterhead of the body ``line[0]`` (``line``: it and the bodies above it,
    nearest first)."""
    layout = Layout.STATE if pack_id in STATE_PACKS else Layout.PARTY
    if not line:
        return Letterhead(layout, "", "", "", "", "")
    if layout is Layout.STATE:
        return _state_letterhead(line)
    index, found = next(((i, f) for i, body in enumerate(line)
                         if (f := _committee_of(body.name)) is not None), (0, None))
    if found is None:
        name = _nfc(line[0].name)
        return Letterhead(layout, "", name.upper(), _initials(name), name, name.upper())
    committee, entry = found
    superior = ""
    for body in line[index + 1:]:
        above = _committee_of(body.name)
        if above is not None and above[0].lower() != committee.lower():
            superior = _organisation(*above).upper()
            break
    rest = committee[len(entry[0]):].strip()
    return Letterhead(layout, superior, committee.upper(), entry[1],
                      _place_of(_place_source(line, index, entry, rest)), entry[3].upper())


def _place_source(line: Sequence[OrgBody], index: int, entry: tuple[str, str, str, str],
                  rest: str) -> str:
    """A cell is where its committee is; a committee is where its name says."""
    if entry[0] != "chi bộ":
        return rest
    for body in line[index + 1:]:
        above = _committee_of(body.name)
        if above is not None and above[1][0] != "chi bộ":
            return above[0][len(above[1][0]):].strip()
    return rest


def _state_letterhead(line: Sequence[OrgBody]) -> Letterhead:
    name = _WITHIN.sub("", _nfc(line[0].name))
    superior = _nfc(line[1].name).upper() if len(line) > 1 else ""
    return Letterhead(Layout.STATE, superior, name.upper(), _initials(name), "", "")


def _initials(name: str) -> str:
    """"Ủy ban nhân dân" -> "UBND": the code of a body with no known one."""
    words = [w for w in re.split(r"\s+", name) if w and w[0].isalpha()]
    letters = "".join(w[0] for w in words if w[0].isupper()) or "".join(w[0] for w in words)
    return letters.upper()[:8]


# Words where a state title stops naming the post and starts naming the agency.
_AGENCY = re.compile(r"\s+(sở|phòng|ủy ban|ubnd|trường|cục|chi cục|trung tâm|ban|văn phòng|"
                     r"bệnh viện|thanh tra|kho bạc|công an|tỉnh|huyện|xã|phường)\b.*$",
                     re.IGNORECASE)


def state_signature(title: str) -> tuple[str, str]:
    """A state signer's (capacity, position) from their title (Nghị định 30/2020): the head
    signs as the post ("GIÁM ĐỐC"); a deputy "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"."""
    post = _AGENCY.sub("", _nfc(title).split(",")[0]).strip() or "Thủ trưởng cơ quan"
    if post.lower().startswith("phó "):
        return f"KT. {post[4:].upper()}", post.upper()
    return "", post.upper()
