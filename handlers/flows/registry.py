"""The flows the assistant offers, composed in an explicit list."""

from __future__ import annotations

from handlers.flows import Flow


def all_flows() -> list[Flow]:
    # Imported here so that a flow module may import the registry's neighbours freely.
    flows: list[Flow] = []
    flows.append(__import__("handlers.flows.dossiers", fromlist=["*"]).DossiersFlow())
    flows.append(__import__("handlers.flows.filing", fromlist=["*"]).FilingFlow())
    flows.append(__import__("handlers.flows.competent", fromlist=["*"]).CompetentFlow())
    flows.append(__import__("handlers.flows.regulations", fromlist=["*"]).RegulationsFlow())
    return flows
