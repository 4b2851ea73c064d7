#!/bin/bash
# SPDX-License-Identifier: MIT
# Trees on demand (cgfs.conf's trees = auto): an entitled user's own first
# lookup of their tree makes it, as root's mkdir would; nobody else's
# lookup makes anything, and neither does one of a user who is not
# entitled (trees_uids, trees_group) or any lookup with trees = none.
. "$(dirname "$0")/../lib/lib.sh"

# no_tree DESC USER: USER has no tree in any hierarchy, and the top of
# the mount does not list one.
no_tree() {
	local mp left=
	for mp in $(serving_mounts); do
		[ -e "$mp/$BASE/$2" ] && left="$left $mp"
	done
	assert_eq "$1: no real tree for $2" "" "$left"
	ls "$MNT" | grep -qx "$2" && not_ok "$1: the top lists $2" || ok "$1: the top does not list $2"
}

# real_tree DESC USER: USER's tree exists in every hierarchy, owned by
# root (as root's mkdir makes it: nobody goes around cgfs).
real_tree() {
	local mp
	for mp in $(serving_mounts); do
		assert_eq "$1: real tree in $mp, root's" "root root" "$(stat -c '%U %G' "$mp/$BASE/$2" 2>&1)"
	done
}

made_count() {
	grep -c "tree /$1 made on demand" "$LOG"
}

cat >"$CONF" <<CFG
[defaults]
trees = auto
pids_max = 123

[user $BOB]
pids_max = 77
CFG
start_cgfs -o "config=$CONF" || exit 1
assert_eq "the top lists no tree" "" "$(ls "$MNT")"

# Another user's lookup of alice's name makes nothing; nor does root's:
# root makes trees with mkdir.
attack "bob looks up alice's tree" ENOENT as "$BOB" "$XOP" stat "$MNT/$ALICE"
no_tree "after bob's lookup" "$ALICE"
attack "bob lists alice's tree" ENOENT as "$BOB" "$XOP" read "$MNT/$ALICE/procs"
attack "root looks up alice's tree" ENOENT "$XOP" stat "$MNT/$ALICE"
no_tree "after root's lookup" "$ALICE"
attack "a flood of bob's lookups of other names" ENOENT \
	as "$BOB" bash -c 'for n in '"$ALICE $CAROL"' root nobody daemon no-such-user-x; do
		"$0" stat "$1/$n" | grep -vx ENOENT; done; echo ENOENT' "$XOP" "$MNT"

# Alice's own lookup, right after bob's refused one (an ENOENT the kernel
# kept would answer it instead), makes her tree.
out=$(as "$ALICE" ls "$MNT/$ALICE" 2>&1)
assert_eq "alice's ls of her tree works" 0 "$?"
echo "$out" | grep -qx procs && ok "it lists her tree's files" || not_ok "it lists her tree's files: $out"
real_tree "alice's tree on demand" "$ALICE"
assert_eq "alice owns it, as root's mkdir makes it" "$ALICE $ALICE 755" \
	"$(stat -c '%U %G %a' "$MNT/$ALICE")"
assert_eq "the [defaults] cap is applied" 123 "$(cat "$MNT/$ALICE/pids_max")"
assert_eq "...to the real file" 123 "$(cat "$(real pids "$ALICE" pids.max)")"
assert_eq "...and the cap is root's" root "$(stat -c %U "$MNT/$ALICE/pids_max")"
assert_op "alice cannot change her cap" EACCES as "$ALICE" "$XOP" write "$MNT/$ALICE/pids_max" 500
assert_op "alice makes a group without root" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/build"
assert_eq "...real in every hierarchy" "" \
	"$(for mp in $(serving_mounts); do [ -d "$mp/$BASE/$ALICE/build" ] || echo "$mp"; done)"
assert_eq "made once" 1 "$(made_count "$ALICE")"

# Bob's first step is a mkdir in his tree: the lookup on the way makes it,
# with his own caps.
assert_op "bob's mkdir in his tree that does not exist yet" OK \
	as "$BOB" "$XOP" mkdir "$MNT/$BOB/web"
assert_eq "bob's [user] cap is applied" 77 "$(cat "$MNT/$BOB/pids_max")"
real_tree "bob's tree on demand" "$BOB"

# Listing the top shows the trees there are, and makes none.
assert_eq "the top lists the trees that exist" "$ALICE $BOB" "$(as "$CAROL" ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
no_tree "after listing the top" "$CAROL"
attack "alice looks up carol's tree" ENOENT as "$ALICE" "$XOP" stat "$MNT/$CAROL"
assert_op "users still cannot mkdir a tree" EACCES as "$CAROL" "$XOP" mkdir "$MNT/$BOB-x"
assert_op "alice cannot remove her tree" EACCES as "$ALICE" "$XOP" rmdir "$MNT/$ALICE"

# Root removes a tree by hand: the user's next lookup makes it again
# (empty: the groups it had are gone with it).
assert_op "root removes alice's tree (with its group)" OK "$XOP" rmdir "$MNT/$ALICE"
no_tree "after root's rmdir" "$ALICE"
assert_op "alice's next lookup makes it again" OK as "$ALICE" "$XOP" stat "$MNT/$ALICE"
real_tree "alice's tree made again" "$ALICE"
assert_eq "...without the group" "" "$(ls -d "$MNT/$ALICE/build" 2>/dev/null)"
assert_eq "...with the cap" 123 "$(cat "$MNT/$ALICE/pids_max")"
assert_eq "made twice in all" 2 "$(made_count "$ALICE")"

# 50 lookups of alice's at once, and root's mkdir among them: one tree,
# every lookup answered with it, no EEXIST for anybody but root.
assert_op "root removes alice's tree again" OK "$XOP" rmdir "$MNT/$ALICE"
out=$(mktemp -d /tmp/cgfs-ondemand.XXXXXX)
chmod 777 "$out"
pids=()
for i in $(seq 1 50); do
	as "$ALICE" "$XOP" stat "$MNT/$ALICE" >"$out/$i" 2>&1 &
	pids+=($!)
	if [ "$i" = 25 ]; then
		"$XOP" mkdir "$MNT/$ALICE" >"$out/root" 2>&1 &
		pids+=($!)
	fi
done
wait "${pids[@]}" # (not the daemon)
assert_eq "50 parallel lookups all find the tree" "50 OK" "$(cat "$out"/[0-9]* | sort | uniq -c | awk '{ print $1, $2 }')"
case $(cat "$out/root") in
OK|EEXIST) ok "root's mkdir among them: $(cat "$out/root")" ;;
*) not_ok "root's mkdir among them: $(cat "$out/root")" ;;
esac
rm -rf "$out"
real_tree "after the parallel lookups" "$ALICE"
assert_eq "the top lists her tree once" 1 "$(ls "$MNT" | grep -cx "$ALICE")"
made=$(made_count "$ALICE")
case $made in
2|3) ok "made at most once more ($made in all)" ;;
*) not_ok "made at most once more: $made in all" ;;
esac
assert_op "alice's tree is sound" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/after"
assert_op "root removes alice's tree" OK "$XOP" rmdir "$MNT/$ALICE"
assert_op "root removes bob's tree" OK "$XOP" rmdir "$MNT/$BOB"
stop_cgfs

# trees_uids without alice's uid: she is not entitled.
a=${UID_OF[$ALICE]}
b=${UID_OF[$BOB]}
cat >"$CONF" <<CFG
[defaults]
trees = auto
trees_uids = $((a + 1))-60000
CFG
start_cgfs -o "config=$CONF" || exit 1
attack "alice outside trees_uids" ENOENT as "$ALICE" "$XOP" stat "$MNT/$ALICE"
no_tree "outside trees_uids" "$ALICE"
if [ "$b" -gt "$a" ] && [ "$b" -le 60000 ]; then
	assert_op "bob inside trees_uids" OK as "$BOB" "$XOP" stat "$MNT/$BOB"
	assert_op "root removes bob's tree" OK "$XOP" rmdir "$MNT/$BOB"
else
	not_ok "bob's uid $b is not above alice's $a: the range test cannot show an entitled user"
fi
stop_cgfs

# trees_group: bob's primary group. Alice is not a member; bob is.
bgroup=$(id -gn "$BOB")
cat >"$CONF" <<CFG
[defaults]
trees = auto
trees_group = $bgroup
CFG
start_cgfs -o "config=$CONF" || exit 1
if id -Gn "$ALICE" | tr ' ' '\n' | grep -qx "$bgroup"; then
	not_ok "alice is a member of $bgroup: the group test cannot show a user left out"
else
	attack "alice not in trees_group" ENOENT as "$ALICE" "$XOP" stat "$MNT/$ALICE"
	no_tree "not in trees_group" "$ALICE"
fi
assert_op "bob in trees_group (his primary group)" OK as "$BOB" "$XOP" stat "$MNT/$BOB"
assert_op "root removes bob's tree" OK "$XOP" rmdir "$MNT/$BOB"
stop_cgfs

# A group that does not exist entitles nobody.
cat >"$CONF" <<CFG
[defaults]
trees = auto
trees_group = cgfs-no-such-group
CFG
start_cgfs -o "config=$CONF" || exit 1
attack "trees_group that does not exist" ENOENT as "$BOB" "$XOP" stat "$MNT/$BOB"
no_tree "trees_group that does not exist" "$BOB"
stop_cgfs

# trees = none, and trees unset: today's behaviour, root's mkdir only.
for t in "trees = none" ""; do
	printf '[defaults]\n%s\n' "$t" >"$CONF"
	start_cgfs -o "config=$CONF" || exit 1
	attack "alice's lookup with '${t:-no trees key}'" ENOENT as "$ALICE" "$XOP" stat "$MNT/$ALICE"
	no_tree "with '${t:-no trees key}'" "$ALICE"
	assert_op "root still makes alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
	assert_op "root removes it" OK "$XOP" rmdir "$MNT/$ALICE"
	stop_cgfs
done

# A bad value stops cgfs with the file and the line.
printf '[defaults]\ntrees = yes\n' >"$CONF"
"$CGFS" -f -o "base=/$BASE,config=$CONF" "$MNT" >"$CONF.out" 2>&1
assert_eq "trees = yes is refused" 2 "$?"
grep -q "$CONF:2: value 'yes' for trees is not valid" "$CONF.out" &&
	ok "...with FILE:LINE" || not_ok "...with FILE:LINE: $(cat "$CONF.out")"
rm -f "$CONF.out"
