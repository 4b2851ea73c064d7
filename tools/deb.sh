#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the Debian package from this tree (debian/) in a copy under OUT
# (default build-deb), so that nothing is written next to the checkout,
# then checks it with lintian: an error, or a warning debian/ does not
# override with a reason, fails.
#   tools/deb.sh [OUT]     prints "deb: OUT/cgfs_VERSION_ARCH.deb" last
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-deb}
bash tools/deps.sh deb
rm -rf "$out"
mkdir -p "$out/src"
# The tracked and untracked files, never a build directory or .git.
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -c | tar -x -C "$out/src"
(cd "$out/src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)"
	exit 1
}
deb=$(ls "$out"/cgfs_*.deb)
if ! lintian --fail-on error,warning --display-info "$out"/cgfs_*.changes >"$out/lintian.log" 2>&1; then
	cat "$out/lintian.log"
	echo "deb: lintian found errors or warnings"
	exit 1
fi
cat "$out/lintian.log"
echo "deb: $deb"
