"""The flows the assistant offers, composed in an explicit list (the menu's order)."""

from __future__ import annotations

from handlers.flows import Flow
from handlers.flows.channels import ChannelsFlow
from handlers.flows.competent import CompetentFlow
from handlers.flows.deadlines import DeadlinesFlow
from handlers.flows.desk import DeskFlow
from handlers.flows.documents import DocumentsFlow
from handlers.flows.dossiers import DossiersFlow
from handlers.flows.emergency import EmergencyFlow
from handlers.flows.filing import FilingFlow
from handlers.flows.papers import PapersFlow
from handlers.flows.publish import PublishFlow
from handlers.flows.regulations import RegulationsFlow
from handlers.flows.report_docs import ReportDocsFlow
from handlers.flows.search import SearchFlow
from handlers.flows.stats import StatsFlow


def all_flows() -> list[Flow]:
    return [FilingFlow(), DossiersFlow(), DeadlinesFlow(), DeskFlow(), SearchFlow(),
            CompetentFlow(),
            RegulationsFlow(), EmergencyFlow(), DocumentsFlow(), PapersFlow(),
            ChannelsFlow(), StatsFlow(), ReportDocsFlow(),
            PublishFlow()]
