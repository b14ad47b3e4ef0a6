"""Renders Home Assistant templates with Jinja2, the engine HA itself uses, for the blueprint tests.

Reads JSON requests on stdin, one a line: {"template": str, "variables": {...}, "states":
{entity_id: {"state", "attributes"}}, "parse": bool} and answers each with one line,
{"ok": true, "result": <native value>, "text": str} or {"ok": false, "error": str}. Written for this project after homeassistant/helpers/template.py
(HA 2024.10 to 2026.x): a sandboxed environment whose undefined values fail when used further
(`None.attributes.reason` is an error), HA's float/int filters that fail without a default instead
of turning bad input into 0, the states()/state_attr()/is_state() functions, as_timestamp and
timestamp_custom, and HA's parsing of a rendered result into a native value.
"""

import ast
import datetime
import json
import re
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

_NO_DEFAULT = object()
# A number as HA accepts one from a rendered template: no leading zero, no exponent.
_IS_NUMERIC = re.compile(r"^[+-]?(?!0\d)\d*(?:\.\d*)?$")


class StateObject:
    """What `trigger.to_state` and `states.x.y` are in HA: state, attributes, name, entity_id."""

    def __init__(self, entity_id, data):
        self.entity_id = entity_id
        self.state = data.get("state")
        self.attributes = data.get("attributes") or {}
        self.domain, _, self.object_id = entity_id.partition(".")
        self.name = self.attributes.get("friendly_name") or data.get("name") or self.object_id.replace("_", " ")

    def __repr__(self):
        return f"<state {self.entity_id}={self.state}>"


def revive(value):
    """JSON → Python, with {"__state__": entity_id, ...} turned into a state object."""
    if isinstance(value, dict):
        if "__state__" in value:
            return StateObject(value["__state__"], value)
        return {k: revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value


def make_env(states):
    env = ImmutableSandboxedEnvironment(undefined=jinja2.Undefined)

    def forgiving(convert, name):
        def filt(value, default=_NO_DEFAULT):
            try:
                return convert(value)
            except (ValueError, TypeError):
                if default is _NO_DEFAULT:
                    raise ValueError(f"Template error: {name} got invalid input '{value}' and no default was specified")
                return default

        return filt

    def to_int(value):
        if isinstance(value, str) and "." in value:
            return int(float(value))
        return int(value)

    def state_of(entity_id):
        data = states.get(entity_id)
        return "unknown" if data is None else data.get("state")

    def attr_of(entity_id, name):
        data = states.get(entity_id)
        return None if data is None else (data.get("attributes") or {}).get(name)

    def as_timestamp(value, default=_NO_DEFAULT):
        try:
            if isinstance(value, (int, float)):
                return float(value)
            return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except (ValueError, TypeError):
            if default is _NO_DEFAULT:
                raise ValueError(f"Template error: as_timestamp got invalid input '{value}' and no default was specified")
            return default

    def timestamp_custom(value, fmt="%Y-%m-%d %H:%M:%S", local=True, default=_NO_DEFAULT):
        try:
            zone = None if local else datetime.timezone.utc
            return datetime.datetime.fromtimestamp(float(value), zone).strftime(fmt)
        except (ValueError, TypeError):
            if default is _NO_DEFAULT:
                raise ValueError(f"Template error: timestamp_custom got invalid input '{value}' and no default was specified")
            return default

    env.filters["float"] = forgiving(float, "float")
    env.filters["int"] = forgiving(to_int, "int")
    env.filters["as_timestamp"] = as_timestamp
    env.filters["timestamp_custom"] = timestamp_custom
    env.globals["float"] = env.filters["float"]
    env.globals["int"] = env.filters["int"]
    env.globals["as_timestamp"] = as_timestamp
    env.globals["states"] = state_of
    env.globals["state_attr"] = attr_of
    env.globals["is_state"] = lambda entity_id, value: state_of(entity_id) == value
    return env


def parse_result(text):
    """HA's Template._parse_result: a rendered string that reads as a Python literal becomes it."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, TypeError):
        return text
    if isinstance(value, (str, bytes)):
        return text
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not _IS_NUMERIC.match(text):
        # "07" or "1e3" stay strings, as HA keeps them.
        return text
    return value


def render(request):
    states = request.get("states") or {}
    env = make_env(states)
    try:
        text = env.from_string(request["template"]).render(**revive(request.get("variables") or {}))
        result = parse_result(text.strip()) if request.get("parse", True) else text
        return {"ok": True, "result": result, "text": text}
    except Exception as error:  # every template error is the test's finding, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(render(json.loads(line)), default=str) + "\n")
            sys.stdout.flush()


main()
