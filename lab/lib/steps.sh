# shellcheck shell=bash
# Named, timed steps for the lab scripts: a progress line when each starts and ends, and a
# closing summary (also written as JSON when STEPS_JSON is set).
_step_names=()
_step_secs=()
_step_status=()

step() {
	local name=$1 start rc=0
	shift
	start=$(date +%s.%N)
	printf '\n\033[1m==> %s\033[0m\n' "$name" >&2
	"$@" || rc=$?
	local secs
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	_step_names+=("$name")
	_step_secs+=("$secs")
	_step_status+=("$([[ $rc -eq 0 ]] && echo ok || echo "failed (rc $rc)")")
	printf '<== %s: %s in %s s\n' "$name" "${_step_status[-1]}" "$secs" >&2
	return "$rc"
}

steps_summary() {
	local i total=0
	printf '\n%-28s %10s  %s\n' step seconds result >&2
	for i in "${!_step_names[@]}"; do
		printf '%-28s %10s  %s\n' "${_step_names[$i]}" "${_step_secs[$i]}" "${_step_status[$i]}" >&2
		total=$(awk -v a="$total" -v b="${_step_secs[$i]}" 'BEGIN { printf "%.1f", a + b }')
	done
	printf '%-28s %10s\n' total "$total" >&2
	if [[ -n ${STEPS_JSON:-} ]]; then
		mkdir -p "$(dirname "$STEPS_JSON")"
		{
			printf '{"steps": ['
			for i in "${!_step_names[@]}"; do
				[[ $i -gt 0 ]] && printf ', '
				printf '{"name": "%s", "seconds": %s, "result": "%s"}' "${_step_names[$i]}" "${_step_secs[$i]}" "${_step_status[$i]}"
			done
			printf '], "total_seconds": %s}\n' "$total"
		} >"$STEPS_JSON"
	fi
}
