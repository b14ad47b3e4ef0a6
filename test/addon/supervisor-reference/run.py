"""Feeds cases (JSON on stdin) to the Supervisor's AppOptions and prints its answers as JSON.

Run inside the tree setup.sh builds: PYTHONPATH=OUT_DIR python3 run.py < cases.json
"""

import json
import sys

import voluptuous as vol
from voluptuous.humanize import humanize_error

from supervisor.apps.options import AppOptions


class _Secrets:
    def __init__(self, secrets):
        self._secrets = secrets

    def get(self, name):
        return self._secrets.get(name)


class _HomeAssistant:
    def __init__(self, secrets):
        self.secrets = _Secrets(secrets)


def answer(case):
    options = AppOptions(None, case["schema"], "Battery Planner", "battery_planner")
    options.sys_homeassistant = _HomeAssistant(case.get("secrets", {}))
    try:
        return {"ok": options.validate(case["options"])}
    except vol.Invalid as ex:
        return {"error": str(ex), "humanized": humanize_error(case["options"], ex)}


cases = json.load(sys.stdin)
json.dump([{**case, "answer": answer(case)} for case in cases], sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
