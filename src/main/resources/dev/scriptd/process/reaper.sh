# scriptd orphan reaper. Started by the server in its own session (setsid). Reads lines on stdin:
#   +PGID STARTTIME RUNID CGROUP   a run started: its process group (STARTTIME: field 22 of
#                                  /proc/PGID/stat, 0 if unknown), its id, and its cgroup directory
#                                  ("-" without one)
#   -PGID                          that run ended
#   +run-RUNID 0 RUNID CGROUP      a run about to be spawned, its group not known yet: only its
#   -run-RUNID                     cgroup and marker find its processes (the server registers its
#                                  group once spawned, then removes this line)
# At EOF (the server died or closed the pipe) it sends TERM to every process of each run still
# registered: its process group (if the leader has the recorded start time or is gone), every pid
# in its cgroup, or, without a cgroup, every process whose environment holds SCRIPTD_RUN_ID=RUNID;
# waits up to the grace period ($1 ms), sends KILL to what is left (cgroup.kill where it exists),
# removes the cgroups, and the server's own group of run cgroups ($2, "-" for none) once empty, and
# exits.
grace_ms=${1:-5000}
parent=${2:--}
declare -A groups=() runs=() cgroups=()
start_time() {
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  set -- $stat
  printf '%s' "${20}"
}

# a process group id (not the key of a run registered before its spawn)
is_group() {
  [[ "$1" =~ ^[0-9]+$ ]]
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
    +*)
      set -- ${line#+}
      if [[ -n "$1" ]]; then
        groups[$1]=${2:-0}
        runs[$1]=${3:--}
        cg=${line#+"$1 ${2:-0} ${3:--} "}
        [[ "$cg" == "$line" || -z "$cg" ]] && cg=-
        cgroups[$1]=$cg
      fi
      ;;
    -*) unset "groups[${line#-}]" "runs[${line#-}]" "cgroups[${line#-}]" ;;
  esac
done

remove_parent() {
  [[ "$parent" != - && -d "$parent" ]] && rmdir "$parent" 2>/dev/null
  return 0
}

(( ${#groups[@]} == 0 )) && { remove_parent; exit 0; }

# the runs without a cgroup: their processes are found by the marker in their environment
declare -A wanted=()
for pgid in "${!groups[@]}"; do
  [[ "${cgroups[$pgid]}" == - && "${runs[$pgid]}" != - ]] && wanted[${runs[$pgid]}]=1
done

marked=()
scan_marked() {
  marked=()
  (( ${#wanted[@]} == 0 )) && return
  local f p v
  for f in /proc/[0-9]*/environ; do
    p=${f#/proc/}; p=${p%/environ}
    (( p == $$ )) && continue
    while IFS= read -r -d '' v; do
      if [[ "$v" == SCRIPTD_RUN_ID=* && -n "${wanted[${v#SCRIPTD_RUN_ID=}]}" ]]; then
        marked+=("$p")
        break
      fi
    done 2>/dev/null < "$f"
  done
}

signal_all() {
  local sig=$1 pgid cg pid
  for pgid in "${!groups[@]}"; do
    is_group "$pgid" && ours "$pgid" "${groups[$pgid]}" && kill "-$sig" -- "-$pgid" 2>/dev/null
    cg=${cgroups[$pgid]}
    [[ "$cg" == - || ! -d "$cg" ]] && continue
    if [[ "$sig" == KILL && -e "$cg/cgroup.kill" ]]; then
      echo 1 2>/dev/null > "$cg/cgroup.kill"
    else
      while read -r pid; do kill "-$sig" "$pid" 2>/dev/null; done 2>/dev/null < "$cg/cgroup.procs"
    fi
  done
  scan_marked
  for pid in "${marked[@]}"; do kill "-$sig" "$pid" 2>/dev/null; done
}

any_alive() {
  local pgid cg state
  for pgid in "${!groups[@]}"; do
    is_group "$pgid" && kill -0 -- "-$pgid" 2>/dev/null && return 0
    cg=${cgroups[$pgid]}
    if [[ "$cg" != - && -d "$cg" ]]; then
      state=$(< "$cg/cgroup.events") 2>/dev/null
      [[ "$state" == *"populated 1"* ]] && return 0
    fi
  done
  scan_marked
  (( ${#marked[@]} > 0 ))
}

remove_cgroups() {
  local pgid cg tries
  for pgid in "${!groups[@]}"; do
    cg=${cgroups[$pgid]}
    [[ "$cg" == - ]] && continue
    for (( tries = 0; tries < 100; tries++ )); do
      [[ -d "$cg" ]] || break
      rmdir "$cg" 2>/dev/null && break
      sleep 0.02
    done
  done
}

signal_all TERM
deadline=$(( $(now_ms) + grace_ms ))
while any_alive; do
  if (( $(now_ms) >= deadline )); then
    signal_all KILL
    break
  fi
  sleep 0.05
done
remove_cgroups
remove_parent
exit 0
