#!/bin/bash
# Interleaved rounds for comparing the sshd scan of two trees on a shared machine, where
# consecutive runs of one variant meet different neighbours: per round, the other tree's scan,
# this tree's scan, this tree's scan with every event built (KLAXON_SCAN_PREFILTER=off),
# fail2ban-regex (if installed) and the floors (split, one regex per line, grep -c), in ms.
#
#   npm run bench:scan                                  # writes bench/out/auth.log
#   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci)
#   bench/scan-rounds.sh /tmp/before 5
set -euo pipefail
OTHER=$1
ROUNDS=${2:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
FILE=$HERE/bench/out/auth.log
# bench/scan-child.js under plain node where the tree has it (as klaxon runs), else an older tree's scan-child.ts through tsx.
scan() {
  (cd "$1" && shift && if [ -f bench/scan-child.js ]; then env "$@" node bench/scan-child.js --year 2024 "$FILE"; else env "$@" node --require tsx/cjs bench/scan-child.ts --year 2024 "$FILE"; fi |
    tail -1 | node -pe 'JSON.parse(require("fs").readFileSync(0)).ms.toFixed(0)')
}
for r in $(seq 1 "$ROUNDS"); do
  other=$(scan "$OTHER")
  this=$(scan "$HERE")
  off=$(scan "$HERE" KLAXON_SCAN_PREFILTER=off)
  f2b=-
  if command -v fail2ban-regex > /dev/null; then
    f2b=$(fail2ban-regex --print-no-missed --print-no-ignored "$FILE" /etc/fail2ban/filter.d/sshd.conf | grep -o 'processed in [0-9.]* sec' | awk '{print int($3*1000)}')
  fi
  floors=$(node -e '
    const bytes = require("fs").readFileSync(process.argv[1]);
    const ms = (t) => (Number(process.hrtime.bigint() - t) / 1e6).toFixed(0);
    let t = process.hrtime.bigint(); bytes.toString("utf8").split("\n"); const split = ms(t);
    const re = /sshd\[\d+\]: (?:Failed \S+ for (?:invalid user )?(\S+)|Invalid user (\S*)) from (\S+) port \d+/;
    t = process.hrtime.bigint(); let n = 0; for (const l of bytes.toString("utf8").split("\n")) if (re.test(l)) n++; const regex = ms(t);
    t = process.hrtime.bigint(); require("child_process").execFileSync("grep", ["-c", "sshd", process.argv[1]]); const grep = ms(t);
    console.log(`split ${split} regex ${regex} grep ${grep}`);' "$FILE")
  echo "round $r: other $other this $this this-prefilter-off $off fail2ban-regex $f2b floors: $floors"
done
