# shellcheck shell=bash
# Offline Pulumi environment. Source it (bash):   . tools/pulumi-env.sh
#
# Builds the engine on first use (tools/install-pulumi.sh; a no-op when the cache is warm),
# then exports:
#   PATH                                   the CLI and language host first (providers are
#                                          installed as plugins under PULUMI_HOME)
#   PULUMI_HOME                            <cache>/home
#   PULUMI_BACKEND_URL                     file://<cache>/state (local file backend)
#   PULUMI_CONFIG_PASSPHRASE_FILE          <cache>/passphrase (generated once, mode 600)
#   PULUMI_SKIP_UPDATE_CHECK               true
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION  true
#   PULUMI_OFFLINE_BIN                     the bin dir
# <cache> is ${PULUMI_OFFLINE_HOME:-/root/.cache/ha-mysql-iac/pulumi}, outside the repository.
# Returns non-zero (without exiting the calling shell) when the build fails.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	echo "pulumi-env.sh sets variables in the calling shell: source it (. tools/pulumi-env.sh)" >&2
	exit 2
fi

_pulumi_env_main() {
	local here cache bin pass
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || return 1
	cache=${PULUMI_OFFLINE_HOME:-/root/.cache/ha-mysql-iac/pulumi}

	bin=$("$here/install-pulumi.sh" | tail -n 1) || return 1
	if [[ -z $bin || ! -x $bin/pulumi ]]; then
		echo "pulumi-env.sh: install-pulumi.sh did not produce a bin dir" >&2
		return 1
	fi

	mkdir -p "$cache/home" "$cache/state" || return 1
	pass=$cache/passphrase
	if [[ ! -s $pass ]]; then
		(
			umask 077
			if command -v openssl >/dev/null 2>&1; then
				openssl rand -hex 32 >"$pass.tmp"
			else
				head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pass.tmp"
			fi
			mv -f "$pass.tmp" "$pass"
		) || return 1
	fi
	chmod 600 "$pass" || return 1

	export PULUMI_HOME="$cache/home"
	# The providers become installed plugins of the versions the npm SDKs ask for, rather than
	# ambient ones on PATH (the engine warns about every ambient plugin on every run). PATH
	# then only carries the CLI and the language host.
	local cli=${bin%/bin}/cli plugin version sum
	mkdir -p "$cli"
	ln -sf "$bin/pulumi" "$bin/pulumi-language-nodejs" "$cli/" || return 1
	for plugin in command:1.2.1 docker:5.2.0; do
		version=${plugin#*:}
		plugin=${plugin%:*}
		# Reinstalled whenever the binary changes (the command provider is rebuilt from
		# tools/ when its sources change).
		sum=$(sha256sum "$bin/pulumi-resource-$plugin" | cut -d' ' -f1) || return 1
		if [[ $(cat "$PULUMI_HOME/plugins/.ha-mysql-$plugin" 2>/dev/null) != "$sum" ]]; then
			"$bin/pulumi" plugin install resource "$plugin" "$version" --reinstall \
				--file "$bin/pulumi-resource-$plugin" >/dev/null || return 1
			echo "$sum" >"$PULUMI_HOME/plugins/.ha-mysql-$plugin"
		fi
	done
	case ":$PATH:" in
	*":$cli:"*) ;;
	*) PATH="$cli:$PATH" ;;
	esac
	export PATH
	export PULUMI_OFFLINE_BIN="$bin"
	export PULUMI_BACKEND_URL="file://$cache/state"
	export PULUMI_CONFIG_PASSPHRASE_FILE="$pass"
	export PULUMI_SKIP_UPDATE_CHECK=true
	export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
}

# (an && / || list, so that a caller's `set -e` cannot abort the shell half-way)
_pulumi_env_main && _pulumi_env_rc=0 || _pulumi_env_rc=$?
unset -f _pulumi_env_main
if [[ $_pulumi_env_rc -ne 0 ]]; then
	unset _pulumi_env_rc
	return 1
fi
unset _pulumi_env_rc
