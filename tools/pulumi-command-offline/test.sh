#!/usr/bin/env bash
# go vet and go test of the offline command provider, with the same Go caches as its build.
set -euo pipefail
cd "$(dirname "$0")"
cache_root=${PULUMI_OFFLINE_HOME:-/root/.cache/ha-mysql-iac/pulumi}
go_home=${PULUMI_OFFLINE_GO_HOME:-$(dirname "$cache_root")/go}
# shellcheck source=tools/go-toolchain.sh
. ../go-toolchain.sh
ensure_go
export GOPATH=$go_home GOMODCACHE=$go_home/pkg/mod GOCACHE=$go_home/build-cache \
	GOFLAGS=-mod=readonly CGO_ENABLED=0 GOWORK=off
go vet ./...
go test -count=1 ./...
