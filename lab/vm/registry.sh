#!/usr/bin/env bash
# The VM lab's container registry: Debian's docker-registry (distribution 2.8) with TLS from a lab
# CA, holding the lab's images, because no public registry is reachable from the VMs.
#
#   lab/vm/registry.sh ca       the lab CA and the registry's certificate (IP SAN = the bridge
#                               address), made once and kept in the cache
#   lab/vm/registry.sh config   writes the registry's config.yml and prints its path
#   lab/vm/registry.sh push     copies the lab images (lab/images.sh list, plus ha-lab/base:bookworm
#                               assembled from their common base layer) into the registry's
#                               storage as <registry>/ha-lab/<name>:<tag> with skopeo; an image
#                               whose config digest the registry already serves is skipped. The
#                               registry runs for this in a throwaway network namespace that holds
#                               the bridge address on its loopback, so the push needs no lab.
#
# Cache: /root/.cache/ha-mysql-iac/vm/ca/{ca.crt,ca.key,registry.crt,registry.key} and
# /root/.cache/ha-mysql-iac/vm/registry/{config.yml,data/}. vms.sh up serves the same storage
# in the lab namespace; vms.sh build runs `ca` and `push`.
set -euo pipefail
LOG_TAG=vm-registry
# shellcheck source=lab/vm/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

CONFIG=$VM_REGISTRY_DIR/config.yml
DATA=$VM_REGISTRY_DIR/data
# skopeo reads every *.crt here as a CA for the destination registry.
CERT_DIR=$VM_CA_DIR/trust

cmd_ca() {
	need_root
	mkdir -p "$VM_CA_DIR" "$CERT_DIR"
	chmod 0700 "$VM_CA_DIR"
	local d=$VM_CA_DIR
	if [[ ! -s $d/ca.crt || ! -s $d/ca.key ]]; then
		openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout "$d/ca.key.tmp" -out "$d/ca.crt.tmp" -days 3650 -subj "/CN=ha-vmlab CA" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
		mv "$d/ca.key.tmp" "$d/ca.key"
		mv "$d/ca.crt.tmp" "$d/ca.crt"
		rm -f "$d/registry.crt" "$d/registry.key"
		log "made the lab CA: $d/ca.crt"
	fi
	cp "$d/ca.crt" "$CERT_DIR/ca.crt"
	# The registry's certificate names the bridge address; a new address needs a new one.
	if [[ -s $d/registry.crt ]] && openssl x509 -in "$d/registry.crt" -noout -checkip "$VM_GATEWAY" | grep -q 'does match' &&
		openssl verify -CAfile "$d/ca.crt" "$d/registry.crt" >/dev/null 2>&1; then
		return 0
	fi
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-keyout "$d/registry.key.tmp" -out "$d/registry.csr" -subj "/CN=$VM_GATEWAY" 2>/dev/null
	openssl x509 -req -in "$d/registry.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 3650 -out "$d/registry.crt.tmp" \
		-extfile <(printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' "$VM_GATEWAY") 2>/dev/null
	mv "$d/registry.key.tmp" "$d/registry.key"
	mv "$d/registry.crt.tmp" "$d/registry.crt"
	rm -f "$d/registry.csr"
	log "made the registry certificate for IP $VM_GATEWAY"
}

cmd_config() {
	mkdir -p "$VM_REGISTRY_DIR" "$DATA"
	cat >"$CONFIG.tmp" <<EOF
# Written by lab/vm/registry.sh: the VM lab's registry (docker-registry serve $CONFIG).
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $DATA
  delete:
    enabled: false
  # Nothing uploads while the lab runs; purging would only scan the storage.
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $VM_REGISTRY
  tls:
    certificate: $VM_CA_DIR/registry.crt
    key: $VM_CA_DIR/registry.key
health:
  storagedriver:
    enabled: false
EOF
	mv "$CONFIG.tmp" "$CONFIG"
	printf '%s\n' "$CONFIG"
}

# ha-lab/base:bookworm as a docker-archive: the lab images' first layer is the imported base
# rootfs, so the base image is that layer with the config images.sh gives it on import. The
# config is deterministic (no timestamps), so its digest identifies the layer.
base_archive() {
	local src=$1 manifest layer diff cfg name out dir
	manifest=$(tar -xOf "$src" manifest.json)
	layer=$(jq -r '.[0].Layers[0]' <<<"$manifest")
	diff=$(tar -xOf "$src" "$(jq -r '.[0].Config' <<<"$manifest")" | jq -r '.rootfs.diff_ids[0]')
	out=$VM_REGISTRY_DIR/base-${diff#sha256:}.tar
	if [[ -s $out ]]; then
		printf '%s' "$out"
		return 0
	fi
	dir=$(mktemp -d /var/tmp/ha-vmlab-base.XXXXXX)
	mkdir -p "$dir/layer"
	tar -xOf "$src" "$layer" >"$dir/layer/layer.tar"
	[[ sha256:$(sha256sum <"$dir/layer/layer.tar" | cut -d' ' -f1) == "$diff" ]] || die "base layer of $src does not match its diff_id"
	cfg=$(jq -cn --arg diff "$diff" '{architecture: "amd64", os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"], Cmd: ["bash"]},
		rootfs: {type: "layers", diff_ids: [$diff]},
		history: [{created_by: "lab/images.sh: debootstrap --variant=minbase bookworm"}]}')
	name=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1).json
	printf '%s' "$cfg" >"$dir/$name"
	jq -cn --arg c "$name" '[{Config: $c, RepoTags: ["ha-lab/base:bookworm"], Layers: ["layer/layer.tar"]}]' >"$dir/manifest.json"
	tar -C "$dir" -cf "$out.tmp" manifest.json "$name" layer/layer.tar
	mv "$out.tmp" "$out"
	rm -rf "$dir"
	find "$VM_REGISTRY_DIR" -maxdepth 1 -name 'base-*.tar' ! -path "$out" -delete
	printf '%s' "$out"
}

# "archive|reference" lines for every image to push.
push_list() {
	local tars tar tag base
	tars=$(bash "$VM_REPO_ROOT/lab/images.sh" list) || die "lab/images.sh list failed"
	while read -r tar; do
		[[ -n $tar ]] || continue
		tag=$(tar -xOf "$tar" manifest.json | jq -r '.[0].RepoTags[0]')
		printf '%s|%s\n' "$tar" "$tag"
	done <<<"$tars"
	tar=$(head -n 1 <<<"$tars")
	base=$(base_archive "$tar")
	printf '%s|ha-lab/base:bookworm\n' "$base"
}

cmd_push() {
	need_root
	[[ -s $VM_CA_DIR/registry.crt ]] || cmd_ca
	cmd_config >/dev/null
	local list
	list=$(push_list)
	# Own network and PID namespaces: the registry and skopeo see only loopback, and nothing
	# started here outlives the call.
	unshare --net --pid --mount --fork --propagation private --mount-proc -- \
		bash "$0" _push_inside <<<"$list"
}

cmd_push_inside() {
	ip link set lo up
	ip addr add "$VM_GATEWAY/32" dev lo
	docker-registry serve "$CONFIG" >"$VM_REGISTRY_DIR/push-registry.log" 2>&1 &
	REGISTRY_PID=$!
	trap 'kill "$REGISTRY_PID" 2>/dev/null || true' EXIT
	local reg=$REGISTRY_PID i t ref archive want have pushed=0 skipped=0
	for ((i = 0; i < 100; i++)); do
		curl -fsS --max-time 2 --cacert "$VM_CA_DIR/ca.crt" "https://$VM_REGISTRY/v2/" >/dev/null 2>&1 && break
		kill -0 "$reg" 2>/dev/null || {
			tail -n 20 "$VM_REGISTRY_DIR/push-registry.log" >&2
			die "docker-registry exited during start"
		}
		sleep 0.2
	done
	((i < 100)) || die "docker-registry did not answer on https://$VM_REGISTRY/v2/ within 20 s"
	while IFS='|' read -r archive ref; do
		want=sha256:$(tar -xOf "$archive" manifest.json | jq -r '.[0].Config' | sed 's/\.json$//')
		have=$(skopeo inspect --raw --cert-dir "$CERT_DIR" "docker://$VM_REGISTRY/$ref" 2>/dev/null | jq -r '.config.digest // empty' || true)
		if [[ $have == "$want" ]]; then
			skipped=$((skipped + 1))
			log "$VM_REGISTRY/$ref: already holds ${want:0:19}"
			continue
		fi
		t=${EPOCHREALTIME/./}
		skopeo --insecure-policy copy -q --dest-cert-dir "$CERT_DIR" "docker-archive:$archive" "docker://$VM_REGISTRY/$ref" >&2
		have=$(skopeo inspect --raw --cert-dir "$CERT_DIR" "docker://$VM_REGISTRY/$ref" | jq -r '.config.digest')
		[[ $have == "$want" ]] || die "$ref: the registry serves config $have after the copy, expected $want"
		pushed=$((pushed + 1))
		log "$VM_REGISTRY/$ref: pushed ${want:0:19} from $(basename "$archive") in $(since "$t") s"
	done
	log "registry: $pushed pushed, $skipped already there ($(du -sm "$DATA" | cut -f1) MiB in $DATA)"
}

case "${1:-}" in
ca) cmd_ca ;;
config) cmd_config ;;
push) cmd_push ;;
_push_inside) cmd_push_inside ;;
-h | --help | help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
*) die "usage: registry.sh ca|config|push" ;;
esac
