"""The YAML loaders of :func:`readiness._io.read_document`, apart so that PyYAML is
loaded only when a YAML text is parsed: a command reading JSON files and the shipped
rubric (read from ``readiness/_parsed.marshal``) never loads it."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from readiness._limits import MAX_DEPTH, MAX_INT_DIGITS, int_digits, long_integer, too_deep

__all__ = ["Loader", "Refused", "ShippedLoader"]


class Refused(yaml.YAMLError):
    """A YAML document broke one of our rules; ``where`` is ``line L column C`` or a JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


class _Checks:
    """Duplicate keys and huge integers, refused by both YAML loaders below."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # keys merged in with `<<` may be overridden
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the safe loader reports it
                mark = key_node.start_mark
                if first is not None:
                    raise Refused(
                        f"line {mark.line + 1} column {mark.column + 1}",
                        f"duplicate key {key!r} (first at line {first.line + 1} "
                        f"column {first.column + 1})",
                    )
                seen[key] = mark
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]

    def construct_checked_int(self, node: ScalarNode) -> int:
        literal = str(self.construct_scalar(node))  # type: ignore[attr-defined]
        if int_digits(literal) > MAX_INT_DIGITS:
            mark = node.start_mark
            raise Refused(
                f"line {mark.line + 1} column {mark.column + 1}", long_integer(int_digits(literal))
            )
        return self.construct_yaml_int(node)  # type: ignore[attr-defined, no-any-return]


class Loader(_Checks, yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys, deep nesting and huge integers."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.aliased = False

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            self.aliased = True
        if not self.check_event(SequenceStartEvent, MappingStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise Refused(f"line {mark.line + 1} column {mark.column + 1}", too_deep())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_FAST_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ShippedLoader(_Checks, _FAST_BASE):  # type: ignore[misc]
    """For the package's own data files: libyaml's parser (about 9x faster), same checks
    but the nesting one, which the files' tests guarantee (tests/test_io.py)."""

    aliased = False


for _cls in (Loader, ShippedLoader):
    _cls.add_constructor("tag:yaml.org,2002:int", _Checks.construct_checked_int)  # type: ignore[type-var]
    # PyYAML (YAML 1.1) reads `1e-3` and `1.5e3` as text (it wants a dot and a signed
    # exponent); YAML 1.2 and JSON read numbers, and so do we.
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."),
    )
