#!/usr/bin/env bash
# The Debian packages the test suite drives for real: mosquitto (MQTT broker on loopback),
# chromium (the ingress page in a headless browser), python3-jinja2 (blueprint templates) and
# faketime (libfaketime: test/faults/addon-soak.test.ts jumps the running add-on's clock).
# Run as root it installs what is missing; otherwise it names the one command to run. `npm test`
# calls it first.
set -euo pipefail
missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/*/faketime/libfaketimeMT.so.1" >/dev/null || missing+=(faketime)
# Jinja2, HA's template engine: the blueprint tests render the blueprints' templates with it.
# Either the PATH's python3 has it or Debian's gets it (test/blueprints/ha-template.ts takes either).
python3 -c 'import jinja2' >/dev/null 2>&1 || /usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1 || missing+=(python3-jinja2)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing ${missing[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "test prerequisites missing: ${missing[*]}. Install them with:" >&2
echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
