#!/usr/bin/env bash
# The lab's Pulumi stack. State, passphrase and the generated secret values live under
# $LAB_DIR/pulumi (outside the repository; lab:down removes them). Pulumi reads a copy of
# Pulumi.<stack>.yaml with the secrets added (--config-file), so the committed stack file never
# holds a secret, not even encrypted.
#
#   stack.sh prepare             create the stack, refresh the config copy, pin each lab host's
#                                generated SSH key in it, set the secrets (idempotent: secret
#                                values are generated once and kept)
#   stack.sh pulumi <cmd> ...    run `pulumi <cmd> --stack <stack> [--config-file <copy>] ...`
#   stack.sh set-path <path> <v> change one topology value in the copy (tests and drills)
#   stack.sh env                 print what an interactive shell evals to run plain `pulumi`
#                                on the lab stack: eval "$(npm run -s lab:env)"
#   stack.sh remove              `pulumi stack rm` (after destroy) and the lab's Pulumi directory
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lab.env
. "$repo/lab/lab.env"
# HA_LAB_DIR and HA_LAB_STACK select another lab (the VM lab: /var/lib/ha-vmlab, stack vmlab).
lab_dir=${HA_LAB_DIR:-$LAB_DIR}
stack=${HA_LAB_STACK:-dev}
dir=$lab_dir/pulumi
cfg=$dir/Pulumi.$stack.yaml
ssh_key=${HA_LAB_SSH_KEY:-$lab_dir/ssh/lab_key}

log() { printf '[stack %3ss] %s\n' "$SECONDS" "$*" >&2; }
die() {
	printf 'stack.sh: %s\n' "$*" >&2
	exit 1
}

lab_env() {
	# shellcheck source=tools/pulumi-env.sh
	. "$repo/tools/pulumi-env.sh" || die "the offline Pulumi engine is not available (tools/install-pulumi.sh failed)"
	mkdir -p "$dir/state" "$dir/secrets"
	chmod 700 "$dir" "$dir/secrets"
	if [[ ! -s $dir/passphrase ]]; then
		(umask 077 && openssl rand -hex 32 >"$dir/passphrase.tmp" && mv -f "$dir/passphrase.tmp" "$dir/passphrase")
	fi
	export PULUMI_BACKEND_URL="file://$dir/state"
	export PULUMI_CONFIG_PASSPHRASE_FILE="$dir/passphrase"
	unset PULUMI_CONFIG_PASSPHRASE
	# The offline language host (sdk 3.68) receives no runtime options from the CLI; the current
	# host hands Pulumi.yaml's runtime.options.tsconfig to node in this variable, so this does the
	# same, and the program runs transpile-only here as it does for users.
	local tsconfig
	tsconfig=$(sed -n 's/^ *tsconfig: *//p' "$repo/Pulumi.yaml")
	if [[ -n $tsconfig ]]; then export PULUMI_NODEJS_TSCONFIG_PATH="$tsconfig"; fi
}

# A lock whose pulumi process is gone (killed, or its machine rebooted under it) would refuse
# every later run with "the stack is currently locked". The diy backend records the pid and
# hostname in each lock file; a lock of this host whose pid no longer runs pulumi is removed,
# with a line saying so. A live lock, or one from another host, is left for pulumi to report.
clear_stale_locks() {
	local locks=${PULUMI_BACKEND_URL#file://}/.pulumi/locks f pid host
	[[ -d $locks ]] || return 0
	while IFS= read -r -d '' f; do
		pid=$(jq -r '.pid // empty' "$f" 2>/dev/null) || pid=
		host=$(jq -r '.hostname // empty' "$f" 2>/dev/null) || host=
		[[ $pid =~ ^[0-9]+$ && $host == "$(hostname)" ]] || continue
		if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == pulumi ]]; then
			continue
		fi
		log "removing the stale lock ${f#"$locks"/} (pid $pid is not running pulumi on $host)"
		rm -f "$f"
	done < <(find "$locks" -path "*/$stack/*" -name '*.json' -type f -print0)
}

stack_exists() {
	pulumi stack ls --json 2>/dev/null | grep -q "\"name\": \"$stack\""
}

# The salt the stack was created with; `stack init` writes it into a stack file, so it runs in
# a scratch project directory (same project name) rather than next to the committed file.
init_stack() {
	local scratch
	scratch=$(mktemp -d)
	cp "$repo/Pulumi.yaml" "$scratch/"
	(cd "$scratch" && pulumi stack init "$stack" --secrets-provider passphrase >/dev/null)
	grep '^encryptionsalt:' "$scratch/Pulumi.$stack.yaml" >"$dir/salt"
	rm -rf "$scratch"
}

secret_value() {
	local key=$1 kind=$2 file=$dir/secrets/$1
	if [[ $kind == sshKey ]]; then
		[[ -s $ssh_key ]] || die "the lab SSH key $ssh_key is missing: run lab/hosts.sh up first"
		cp "$ssh_key" "$file.tmp"
	elif [[ ! -s $file ]]; then
		case $kind in
		# printf: no final newline, which would be part of the value (set with --raw)
		vrrpAuth) printf '%s' "$(openssl rand -hex 4)" >"$file.tmp" ;;
		*) printf '%s' "$(openssl rand -hex 12)" >"$file.tmp" ;;
		esac
	else
		return 0
	fi
	chmod 600 "$file.tmp"
	mv -f "$file.tmp" "$file"
}

prepare() {
	lab_env
	if ! stack_exists; then
		log "creating stack $stack (file backend $PULUMI_BACKEND_URL, passphrase provider)"
		init_stack
	fi
	[[ -s $dir/salt ]] || die "stack $stack exists but its salt file $dir/salt is gone: run lab/stack.sh remove, then prepare again"
	local keys
	keys=$(cd "$repo" && npx --no-install ts-node lab/stack-secrets.ts "Pulumi.$stack.yaml") || die "Pulumi.$stack.yaml is not a valid topology"
	{
		cat "$dir/salt"
		cat "$repo/Pulumi.$stack.yaml"
	} >"$cfg.tmp"
	mv -f "$cfg.tmp" "$cfg"
	# Each lab host's generated ed25519 key as its hosts[].ssh.hostKey (new on every machine, so
	# never in the committed file).
	(cd "$repo" && npx --no-install ts-node lab/pin-host-keys.ts "$cfg") >&2 || die "could not pin the lab hosts' keys in $cfg"
	local key kind n=0
	while read -r key kind; do
		secret_value "$key" "$kind"
		# The value goes through stdin, never argv; --raw keeps a key file's final newline.
		pulumi config set --secret --raw --stack "$stack" --config-file "$cfg" -- "$key" <"$dir/secrets/$key"
		n=$((n + 1))
	done <<<"$keys"
	log "config copy $cfg ready with $n secret(s)"
}

run_pulumi() {
	lab_env
	clear_stale_locks
	[[ -s $cfg ]] || die "no config copy at $cfg: run lab/stack.sh prepare first"
	local sub=$1
	shift
	case $sub in
	preview | up | update | destroy | refresh | config)
		(cd "$repo" && pulumi "$sub" --stack "$stack" --config-file "$cfg" "$@")
		;;
	*)
		(cd "$repo" && pulumi "$sub" --stack "$stack" "$@")
		;;
	esac
}

set_path() {
	local path=$1 value=$2
	[[ -s $cfg ]] || die "no config copy at $cfg: run lab/stack.sh prepare first"
	(cd "$repo" && npx --no-install ts-node lab/set-config.ts "$cfg" "$path" "$value")
}

remove() {
	lab_env
	clear_stale_locks
	if stack_exists; then
		# --preserve-config: the committed Pulumi.<stack>.yaml is not Pulumi's to delete.
		(cd "$repo" && pulumi stack rm "$stack" --yes --force --preserve-config >/dev/null)
		log "stack $stack removed from $PULUMI_BACKEND_URL"
	fi
	rm -rf "$dir"
}

case ${1:-} in
prepare) prepare ;;
pulumi)
	shift
	[[ $# -gt 0 ]] || die "usage: stack.sh pulumi <command> [args]"
	run_pulumi "$@"
	;;
set-path)
	[[ $# -eq 3 ]] || die "usage: stack.sh set-path <topology path> <value>"
	set_path "$2" "$3"
	;;
env)
	lab_env
	# For eval in an interactive shell: plain `pulumi preview|up|refresh|destroy|config|stack ...`
	# then act on the lab's stack, with the config copy that holds its secrets.
	printf 'export PATH=%q PULUMI_HOME=%q PULUMI_BACKEND_URL=%q PULUMI_CONFIG_PASSPHRASE_FILE=%q\n' "$PATH" "$PULUMI_HOME" "$PULUMI_BACKEND_URL" "$PULUMI_CONFIG_PASSPHRASE_FILE"
	printf 'export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
	if [[ -n ${PULUMI_NODEJS_TSCONFIG_PATH:-} ]]; then printf 'export PULUMI_NODEJS_TSCONFIG_PATH=%q\n' "$PULUMI_NODEJS_TSCONFIG_PATH"; fi
	printf 'cd %q\n' "$repo"
	# shellcheck disable=SC2016 # (the function is expanded by the shell that evals it)
	printf 'pulumi() { case "${1:-}" in preview|up|update|refresh|destroy|config|import|watch) command pulumi "$@" --stack %q --config-file %q ;; stack|cancel|state|console|about) command pulumi "$@" --stack %q ;; *) command pulumi "$@" ;; esac; }\n' "$stack" "$cfg" "$stack"
	printf 'echo "pulumi now acts on the lab stack %s (config with secrets: %s)" >&2\n' "$stack" "$cfg"
	;;
remove) remove ;;
*)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
