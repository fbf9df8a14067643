#!/usr/bin/env bash
# push-floor.sh STORE REGISTRY REPO:TAG: the registry's own ingest floor for an image Kiln built — the
# same blobs (the image's config and layers, read from Kiln's store at STORE) uploaded with curl, every
# blob at once, each in one monolithic POST + PUT as Kiln does, then its manifest. No hashing, no
# checks, no JVM: what any client pays at least to put those bytes into that registry.
set -euo pipefail
store=$1 registry=$2 ref=$3
repo=${ref%:*} tag=${ref##*:}
digest=$(tail -1 "$store/ledger.jsonl" | grep -o '"digest":"sha256:[0-9a-f]*"' | cut -d'"' -f4)
manifest=$store/blobs/sha256/${digest#sha256:}
media=$(grep -o '"mediaType" *: *"[^"]*"' "$manifest" | head -1 | cut -d'"' -f4)
upload() {
  local blob=$1 location
  location=$(curl -sSf -X POST -D - -o /dev/null "http://$registry/v2/$repo/blobs/uploads/" | tr -d '\r' |
    awk 'tolower($1) == "location:" { print $2 }')
  [[ $location == http* ]] || location="http://$registry$location"
  [[ $location == *\?* ]] && location+="&" || location+="?"
  curl -sSf -X PUT -H 'Content-Type: application/octet-stream' -T "$store/blobs/sha256/${blob#sha256:}" \
    -o /dev/null "${location}digest=$blob"
}
pids=()
for blob in $(grep -o '"digest" *: *"sha256:[0-9a-f]*"' "$manifest" | cut -d'"' -f4 | sort -u); do
  upload "$blob" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
curl -sSf -X PUT -H "Content-Type: $media" --data-binary "@$manifest" -o /dev/null "http://$registry/v2/$repo/manifests/$tag"
