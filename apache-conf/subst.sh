#!/bin/sh
# subst.sh: makes a file from its .in template by replacing @name@ placeholders; shared by "make" (installation paths) and the deploy tests (their own paths), so that both make the same files.
#
# Usage: sh subst.sh NAME=VALUE... <TEMPLATE >OUTPUT
#
# Fails, naming them, if placeholders are left that no NAME=VALUE covers.

set -eu

script=
for arg; do
	case $arg in
	[A-Za-z_]*=*)	;;
	*)	echo "subst.sh: expected NAME=VALUE, not \"$arg\"" >&2
		exit 2 ;;
	esac
	name=${arg%%=*}
	value=${arg#*=}
	# Escape what is special in a sed replacement: \ & and the delimiter.
	value=$(printf '%s\n' "$value" | sed -e 's/[\\&|]/\\&/g')
	script="$script
s|@$name@|$value|g"
done

out=$(sed -e "$script"; echo x)
out=${out%x}
left=$(printf '%s' "$out" | grep -o '@[A-Za-z_][A-Za-z_]*@' | sort -u |
    tr '\n' ' ') || :
if [ -n "$left" ]; then
	echo "subst.sh: no value for: $left" >&2
	exit 1
fi
printf '%s' "$out"
