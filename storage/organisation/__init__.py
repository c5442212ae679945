"""The organisation chart in the database: the file format, import/export and the demo."""

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

DEMO_FILE = "demo_organisation.yaml"

__all__ = [
    "DEMO_FILE",
    "ImportReport",
    "OrgFileError",
    "count_rows",
    "demo_text",
    "dump_org_text",
    "export_chart",
    "import_chart",
    "load_tree",
    "organisation_ids",
    "parse_org_text",
]


def demo_text() -> str:
    """The bundled demo organisation (Đức Phổ town, one commune and one ward)."""
    return (resources.files("storage") / "data" / DEMO_FILE).read_text(encoding="utf-8")
