"""Which subscribe-message template tells each kind of notification, and how its fields are
filled: a JSON file an operator writes once they have picked templates in the WeChat console.

    {
      "MENTION": {
        "templateId": "<the template's id from the console>",
        "page": "pages/group/index?groupId={groupId}",
        "data": {"thing1": "{group}", "name2": "{actor}", "thing3": "{text}", "time4": "{time}"}
      }
    }

Keys are notification kinds (MENTION, REPLY, ...) or NEW_ITEMS (the digest that members who set
a group to ALL get of its new items). Values name placeholders that each message fills in.
"""

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

NEW_ITEMS = "NEW_ITEMS"
PLACEHOLDERS = frozenset({"group", "actor", "text", "time", "kind", "count", "groupId", "itemId"})
_DATA_KEY = re.compile(r"[a-z_]{1,32}[0-9]{1,3}")
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True)
class Template:
    template_id: str
    # Template key (thing1, time2...) -> its value with {placeholders}.
    data: Mapping[str, str]
    # The mini-program page a tap opens, with {placeholders}; None opens the home page.
    page: str | None = None

    def fill(self, values: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
        """The data and page with each placeholder replaced by its value."""
        data = {key: pattern.format_map(values) for key, pattern in self.data.items()}
        return data, None if self.page is None else self.page.format_map(values)


def read_templates(path: Path) -> dict[str, Template]:
    """The templates at `path` by kind; ValueError saying what is wrong with the file."""
    try:
        found = json.loads(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    if not isinstance(found, dict):
        raise ValueError(f"{path} must be a JSON object mapping kinds to templates")
    return {kind: _template(path, kind, spec) for kind, spec in found.items()}


def _template(path: Path, kind: str, spec: object) -> Template:
    where = f"{path}: {kind}"
    if not isinstance(spec, dict) or set(spec) - {"templateId", "data", "page"}:
        raise ValueError(f"{where} must be an object of templateId, data and page")
    template_id, data, page = spec.get("templateId"), spec.get("data"), spec.get("page")
    if not isinstance(template_id, str) or not _TEMPLATE_ID.fullmatch(template_id):
        raise ValueError(f"{where}: templateId must be the template's id from the WeChat console")
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{where}: data must map template keys (thing1, time2...) to values")
    for key, value in data.items():
        if not _DATA_KEY.fullmatch(key) or not isinstance(value, str):
            raise ValueError(f"{where}: data.{key} must be a template key with a text value")
        _check_placeholders(f"{where}: data.{key}", value)
    if page is not None:
        if not isinstance(page, str) or not page or len(page) > 1024:
            raise ValueError(f"{where}: page must be a mini-program page path")
        _check_placeholders(f"{where}: page", page)
    return Template(template_id=template_id, data=dict(data), page=page)


def _check_placeholders(where: str, pattern: str) -> None:
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    if any(spec or conversion for _, spec, conversion in fields):
        raise ValueError(f"{where}: write placeholders plainly, as {{group}} (no format specs)")
    names = {name for name, _, _ in fields}
    unknown = names - PLACEHOLDERS
    if unknown:
        known = ", ".join(sorted(PLACEHOLDERS))
        raise ValueError(f"{where}: unknown placeholder {sorted(unknown)} (known: {known})")
