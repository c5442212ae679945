"""YAML that remembers where things were written, for one-line errors naming key and line.

Shared by the rule-pack loader and the organisation file: both refuse a key written
twice (PyYAML silently keeps the last one) and report problems as ``file:line: key``.
Parsing text is not I/O; callers read the file.
"""

from __future__ import annotations

from typing import Any

import yaml


class LineMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    lines: dict[Any, int]


# libyaml's parser when PyYAML was built with it (the wheels are): the same nodes and
# marks, several times faster than the pure-Python one on the organisation file.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """A safe loader building :class:`LineMap` mappings and refusing duplicate keys."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineMap:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # a key merged in and then overridden is fine
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' is written twice", key_node.start_mark)
        seen.add(key)
    loader.flatten_mapping(node)  # resolves "<<" merge keys
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode) -> Any:
    # PyYAML raises a bare ValueError for "2024-13-01"; keep the text so that the
    # caller's "expected a date" check can name the key and line instead.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``problem`` is PyYAML's words, ``line`` 1-based or None."""

    def __init__(self, problem: str, line: int | None):
        self.problem, self.line = problem, line
        super().__init__(f"line {line}: {problem}" if line else problem)


def parse_yaml(text: str) -> Any:
    """Parse ``text`` with :class:`LineLoader`; raises :class:`YamlSyntaxError`."""
    try:
        return yaml.load(text, Loader=LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(str(exc.problem), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from None


def line_of(node: Any, key: Any = None) -> int | None:
    """The line of ``key`` in ``node`` (or of ``node`` itself); None for plain values."""
    if isinstance(node, LineMap):
        return node.lines.get(key, node.line) if key is not None else node.line
    return None
