"""Crisis resources by region, read from ``agents/resources/crisis_resources.yaml``.

Each line carries its source and the date it was checked; a locale whose
region is not listed (or a locale without a region, like ``es``) gets the
international entry.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import AgentSpecError

__all__ = ["CrisisLine", "RegionResources", "ResourceBook", "load_resources", "region_of"]


class CrisisLine(BaseModel):
    """One helpline."""

    model_config = ConfigDict(extra="forbid")

    name: str
    contact: str
    hours: str
    source: str
    verified_against: str = ""
    checked: str


class RegionResources(BaseModel):
    """The resources of one region."""

    model_config = ConfigDict(extra="forbid")

    country: str
    emergency: str
    lines: list[CrisisLine] = Field(default_factory=list)


class ResourceBook(BaseModel):
    """All regions, plus the international fallback."""

    model_config = ConfigDict(extra="forbid")

    international: RegionResources
    regions: dict[str, RegionResources] = Field(default_factory=dict)

    def for_locale(self, locale: str | None) -> tuple[str, RegionResources]:
        """The region code and resources for ``locale`` (``"international"`` when unknown).

        A region without a helpline of its own also lists the international lines.
        """
        region = region_of(locale)
        res = self.regions.get(region) if region else None
        if res is None:
            return "international", self.international
        if not res.lines:
            res = res.model_copy(update={"lines": list(self.international.lines)})
        return region or "international", res


def region_of(locale: str | None) -> str | None:
    """``en-GB`` -> ``GB``, ``pt_BR`` -> ``BR``; None when the locale names no region."""
    if not locale:
        return None
    parts = locale.replace("_", "-").split("-")
    for p in parts[1:]:
        if len(p) == 2 and p.isalpha():
            return p.upper()
    return None


def parse_resources(text: str, name: str = "crisis resources") -> ResourceBook:
    """Validate the YAML text of a resources file.

    Raises:
        AgentSpecError: Bad YAML or a field missing or unknown.
    """
    import yaml

    try:
        data = yaml.safe_load(text)
        return ResourceBook.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise AgentSpecError(
            f"{name} is not a valid crisis resources file ({exc}); see agents/resources/crisis_resources.yaml"
        ) from exc


@lru_cache(maxsize=8)
def load_resources(relpath: str = "resources/crisis_resources.yaml") -> ResourceBook:
    """Read the resources file from the agents folder (``EMOTOOL_AGENTS`` overrides the shipped one)."""
    from ..specs import read_agents_file

    return parse_resources(read_agents_file(relpath), relpath)
