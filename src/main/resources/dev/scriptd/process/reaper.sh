# scriptd orphan reaper. Started by the server in its own session (setsid). Reads lines on stdin:
#   +PGID STARTTIME   a run's process group started (STARTTIME: field 22 of /proc/PGID/stat, 0 if unknown)
#   -PGID             that group ended
# At EOF (the server died or closed the pipe) it sends TERM to every group still registered whose
# leader has the recorded start time or is gone, waits up to the grace period ($1 ms), sends KILL
# to what is left, and exits.
grace_ms=${1:-5000}
declare -A groups=()

start_time() {
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  set -- $stat
  printf '%s' "${20}"
}

# ours PGID STARTTIME: the leader has that start time, or the leader is gone (while members live,
# the kernel does not reuse the id, so -PGID still names our group)
ours() {
  local now
  now=$(start_time "$1") || return 0
  [[ "$now" == "$2" ]]
}

now_ms() {
  local t=${EPOCHREALTIME/./}
  printf '%s' $(( t / 1000 ))
}

while IFS= read -r line; do
  case "$line" in
    +*) set -- ${line#+}; [[ -n "$1" ]] && groups[$1]=${2:-0} ;;
    -*) unset "groups[${line#-}]" ;;
  esac
done

targets=()
for pgid in "${!groups[@]}"; do
  if ours "$pgid" "${groups[$pgid]}"; then
    targets+=("$pgid")
    kill -TERM -- "-$pgid" 2>/dev/null
  fi
done
(( ${#targets[@]} == 0 )) && exit 0

deadline=$(( $(now_ms) + grace_ms ))
while (( $(now_ms) < deadline )); do
  alive=0
  for pgid in "${targets[@]}"; do
    kill -0 -- "-$pgid" 2>/dev/null && alive=1
  done
  (( alive == 0 )) && exit 0
  sleep 0.05
done
for pgid in "${targets[@]}"; do
  ours "$pgid" "${groups[$pgid]}" && kill -KILL -- "-$pgid" 2>/dev/null
done
exit 0
