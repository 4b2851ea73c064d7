#!/bin/bash
# SPDX-License-Identifier: MIT
# The modules of src/ and bench/ and what each depends on, read from the
# includes; fails if the dependencies have a cycle, and names it. A module
# is a public header include/cgfs/NAME.h with src/NAME.c and any
# src/NAME_PART.c and private src/NAME_PART.h beside it.
#   tools/layers.sh        prints "NAME: DEPS" per module, then the order
#                          from the bottom layer up, or the cycle
set -uo pipefail
cd "$(dirname "$0")/.."
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
modules=$(ls include/cgfs/*.h | sed 's|.*/||; s|\.h$||')
# The module a file belongs to: the longest NAME its name starts with.
module_of() {
	local b=$1 best=$1 n
	for n in $modules; do
		case $b in
		"$n" | "$n"_*) [ ${#n} -gt ${#best} ] || [ "$best" = "$b" ] && best=$n ;;
		esac
	done
	echo "$best"
}
for f in src/*.c src/*.h include/cgfs/*.h bench/*.c; do
	[ -e "$f" ] || continue
	m=$(basename "$f"); m=$(module_of "${m%.*}")
	deps=$(sed -n 's|^#include "cgfs/\([a-z0-9_]*\)\.h".*|\1|p' "$f" | sort -u | grep -vx "$m")
	for d in $deps; do echo "$m $d"; done
	echo "$m $m" # every module, even one with no dependencies
done | sort -u >"$edges"
awk '$1 != $2 { d[$1] = d[$1] " " $2 } { m[$1] = 1 }
     END { for (k in m) print k ":" d[k] }' "$edges" | sort
# tsort lists a module after those it depends on when edges read
# "DEPENDENCY MODULE"; it reports every loop it breaks on stderr.
order=$(awk '{ print $2, $1 }' "$edges" | tsort 2>"$edges.loop")
if [ -s "$edges.loop" ]; then
	echo "layers: a cycle:"
	grep -v 'input contains a loop' "$edges.loop" | sed 's/^tsort: /  /'
	rm -f "$edges.loop"
	exit 1
fi
rm -f "$edges.loop"
echo "layers, bottom up: $(echo $order)"
