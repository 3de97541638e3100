# shellcheck shell=bash
# Puts a Go toolchain new enough for the Pulumi engine (go >= 1.26.6) first on PATH.
# Source it:  . tools/go-toolchain.sh && ensure_go [--install]
#
# Order: a go already on PATH or in /usr/local/go that is new enough; the toolchain cached in
# <cache>/go-toolchain; with --install, the toolchain module golang.org/toolchain downloaded
# through the Go module proxy by Debian's golang-go (installed with apt when needed), which is
# itself too old to build Pulumi but can fetch a module.
GO_TOOLCHAIN_VERSION=1.26.8
GO_MIN_VERSION=1.26.6

_go_cache=${PULUMI_OFFLINE_HOME:-/root/.cache/ha-mysql-iac/pulumi}
_go_cache=$(dirname "$_go_cache")/go-toolchain

# go_new_enough BIN: true when BIN reports a version >= GO_MIN_VERSION.
go_new_enough() {
	local v
	v=$("$1" env GOVERSION 2>/dev/null) || return 1
	v=${v#go}
	[[ -n $v ]] || return 1
	[[ $(printf '%s\n%s\n' "$GO_MIN_VERSION" "$v" | sort -V | head -n 1) == "$GO_MIN_VERSION" ]]
}

ensure_go() {
	local install=false c bootstrap tmp dir
	[[ ${1:-} == --install ]] && install=true
	for c in "$(command -v go 2>/dev/null)" /usr/local/go/bin/go "$_go_cache/go$GO_TOOLCHAIN_VERSION/bin/go"; do
		if [[ -n $c && -x $c ]] && go_new_enough "$c"; then
			case ":$PATH:" in *":$(dirname "$c"):"*) ;; *) PATH="$(dirname "$c"):$PATH" ;; esac
			export PATH
			return 0
		fi
	done
	$install || {
		echo "no Go >= $GO_MIN_VERSION found: run tools/setup.sh (as root) to fetch go$GO_TOOLCHAIN_VERSION" >&2
		return 1
	}
	bootstrap=$(command -v go 2>/dev/null || true)
	[[ -x /usr/lib/go/bin/go ]] && bootstrap=/usr/lib/go/bin/go
	if [[ -z $bootstrap ]]; then
		echo "[setup] installing Debian's golang-go to fetch go$GO_TOOLCHAIN_VERSION" >&2
		apt_get golang-go >&2 || return 1
		bootstrap=/usr/lib/go/bin/go
	fi
	echo "[setup] fetching go$GO_TOOLCHAIN_VERSION (module golang.org/toolchain) ..." >&2
	tmp=$(mktemp -d) || return 1
	dir=$(cd "$tmp" && GOPATH=$tmp/gopath GOMODCACHE=$tmp/mod GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local \
		"$bootstrap" mod download -json "golang.org/toolchain@v0.0.1-go$GO_TOOLCHAIN_VERSION.linux-amd64" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [[ -z $dir || ! -d $dir/bin ]]; then
		echo "could not fetch go$GO_TOOLCHAIN_VERSION through the Go module proxy" >&2
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$_go_cache"
	rm -rf "$_go_cache/go$GO_TOOLCHAIN_VERSION"
	cp -R "$dir" "$_go_cache/go$GO_TOOLCHAIN_VERSION"
	chmod -R u+w "$tmp" "$_go_cache/go$GO_TOOLCHAIN_VERSION"
	rm -rf "$tmp"
	# Module zips carry no file modes: the toolchain's programs need their exec bits back.
	chmod +x "$_go_cache/go$GO_TOOLCHAIN_VERSION"/bin/* "$_go_cache/go$GO_TOOLCHAIN_VERSION"/pkg/tool/*/*
	PATH="$_go_cache/go$GO_TOOLCHAIN_VERSION/bin:$PATH"
	export PATH
	go_new_enough "$_go_cache/go$GO_TOOLCHAIN_VERSION/bin/go"
}
