"""The organisation chart in the database: the file format, import/export and the demos."""

from __future__ import annotations

from importlib import resources

from storage.organisation.file import OrgFileError, dump_org_text, parse_org_text
from storage.organisation.repository import (
    ImportReport,
    count_rows,
    export_chart,
    import_chart,
    load_tree,
    organisation_ids,
)

# The bundled demo organisations, by the pack each is written for: today's communes and
# wards of Quảng Ngãi (the default), and the Đức Phổ town of 2022 (the seeds' structure).
DEFAULT_DEMO_PACK = "two-level-2025"
DEMO_FILES: dict[str, str] = {
    "two-level-2025": "demo_organisation_2025.yaml",
    "duc-pho-2022": "demo_organisation.yaml",
}
DEMO_FILE = DEMO_FILES["duc-pho-2022"]  # the 2022 demo (kept for older callers)

__all__ = [
    "DEFAULT_DEMO_PACK",
    "DEMO_FILE",
    "DEMO_FILES",
    "ImportReport",
    "OrgFileError",
    "UnknownDemo",
    "count_rows",
    "demo_file",
    "demo_text",
    "dump_org_text",
    "export_chart",
    "import_chart",
    "load_tree",
    "organisation_ids",
    "parse_org_text",
]


class UnknownDemo(ValueError):
    """No bundled demo organisation is written for the pack asked for."""

    def __init__(self, pack: str):
        self.pack, self.known = pack, list(DEMO_FILES)
        super().__init__(f"no bundled demo organisation for pack '{pack}'; "
                         f"known: {', '.join(self.known)}")


def demo_file(pack: str = DEFAULT_DEMO_PACK) -> str:
    """The file name of the bundled demo for ``pack``; raises :class:`UnknownDemo`."""
    try:
        return DEMO_FILES[pack]
    except KeyError:
        raise UnknownDemo(pack) from None


def demo_text(pack: str = DEFAULT_DEMO_PACK) -> str:
    """A bundled demo organisation: by default today's structure (two-level-2025: one ward
    and one commune directly under the province); ``duc-pho-2022`` gives the Đức Phổ town
    of 2022 with one commune and one ward."""
    return (resources.files("storage") / "data" / demo_file(pack)).read_text(encoding="utf-8")
