#!/usr/bin/env bash
# Every key lands where the editor meant, checked black-box: the real window under a real X
# server (Xvfb), keys typed by xdotool with a person's pauses, and then git says which files
# changed. Needs Xvfb and xdotool (../shared/tools/shoot installs them).
#
#   benchmarks/blackbox_keys.sh [SITE]     (default: ../shared/corpus/azure-2021q1)
#
# 1. Typing a search with pauses longer than the query's (`/ microsoft`, pause, ` a`, pause,
#    ` x`, pause), then Ctrl+S: no file changes.
# 2. Esc, `u j j + + -`, then `j 6 5 Return +`, then Ctrl+S: exactly two files change, one by
#    +5 and one set to 70. (The issue's `7 5` gives 80, the value the fourth queue article of
#    azure-2021q1 already has: its file would rightly not change.)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
site=${1:-$here/../shared/corpus/azure-2021q1}
[ -d "$site" ] || { echo "blackbox: no site at $site"; exit 2; }
work=$(mktemp -d)
trap 'kill "$app" "$xpid" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$site" "$work/site" && chmod -R u+w "$work/site"  # the corpus is read-only
git -C "$work/site" init -q && git -C "$work/site" add -A
git -C "$work/site" -c user.name=t -c user.email=t@example.com commit -qm start
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache
disp=""
for n in $(seq 150 199); do [ -e /tmp/.X11-unix/X$n ] || { disp=":$n"; break; }; done
Xvfb "$disp" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
export DISPLAY=$disp
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
QT_QPA_PLATFORM=xcb "$here/.venv/bin/reviewer" "$work/site" >"$work/log" 2>&1 &
app=$!
win=""
for _ in $(seq 300); do
  win=$(xdotool search --onlyvisible --pid "$app" 2>/dev/null | tail -n 1) && [ -n "$win" ] && break
  sleep 0.1
done
[ -n "$win" ] || { echo "blackbox: no window"; cat "$work/log"; exit 1; }
sleep 3  # the folder is read
xdotool windowfocus --sync "$win"
keys() { for k in "$@"; do xdotool key --clearmodifiers "$k"; sleep 0.15; done; }
changed() { git -C "$work/site" status --porcelain -- . ':!.reviewer' | sed 's/^...//'; }

keys slash
xdotool type --delay 60 "microsoft"; sleep 1.2
xdotool type --delay 60 " a"; sleep 1.2
xdotool type --delay 60 " x"; sleep 1.2
keys ctrl+s; sleep 2
first=$(changed | wc -l)
echo "1. typing a search with pauses: $first files changed (meant: 0)"

keys Escape slash ctrl+a BackSpace Return; sleep 1  # the query cleared, back to the list
keys u j j plus plus minus j 6 5 Return plus; sleep 1
keys ctrl+s; sleep 3
xdotool windowfocus --sync "$win"; import -window root "${SHOT:-/dev/null}" 2>/dev/null || true
mapfile -t files < <(changed)
echo "2. u j j + + - j 6 5 Return + Ctrl+S: ${#files[@]} files changed (meant: 2)"
for f in "${files[@]}"; do
  git -C "$work/site" diff -U0 -- "$f" | grep '^[-+]quality' | tr '\n' ' '
  echo " $f"
done
[ "$first" = 0 ] && [ "${#files[@]}" = 2 ] && echo "blackbox: as meant" || { echo "blackbox: NOT as meant"; exit 1; }
