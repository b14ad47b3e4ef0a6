#!/usr/bin/env bash
# Builds a throwaway tree in which the Supervisor's own option validation runs: its
# supervisor/apps/options.py from a checkout, voluptuous from a checkout, and stand-ins for the
# few Supervisor modules options.py imports (nothing those stand-ins do is used on the paths
# recorded). Usage: setup.sh SUPERVISOR_CHECKOUT VOLUPTUOUS_CHECKOUT OUT_DIR
set -euo pipefail
sup=$1 vol=$2 out=$3
rm -rf "$out" && mkdir -p "$out/supervisor/apps" "$out/supervisor/hardware"
git -C "$vol" archive HEAD voluptuous | tar -x -C "$out"
# options.py uses Python 3.14's unparenthesised except; older Pythons need the parentheses.
git -C "$sup" show HEAD:supervisor/apps/options.py |
  sed 's/except IndexError, KeyError:/except (IndexError, KeyError):/' >"$out/supervisor/apps/options.py"
touch "$out/supervisor/__init__.py" "$out/supervisor/apps/__init__.py" "$out/supervisor/hardware/__init__.py"
printf 'class CoreSys: pass\nclass CoreSysAttributes: pass\n' >"$out/supervisor/coresys.py"
printf 'class HardwareNotFound(Exception): pass\n' >"$out/supervisor/exceptions.py"
printf 'from enum import Enum\nclass UdevSubsystem(str, Enum):\n    SERIAL = "tty"\n' >"$out/supervisor/hardware/const.py"
printf 'class Device: pass\n' >"$out/supervisor/hardware/data.py"
# supervisor/validate.py's network_port, the one name options.py takes from it.
printf 'import voluptuous as vol\nnetwork_port = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))\n' \
  >"$out/supervisor/validate.py"
git -C "$sup" describe --tags >"$out/SUPERVISOR_VERSION"
