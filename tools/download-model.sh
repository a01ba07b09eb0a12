#!/usr/bin/env bash
# Downloads uw-madison/yoso-4096 from the Hugging Face hub into a model folder for `yoso`, checking
# every file's size (and sha256 for LFS files) against the hub's own metadata.
#
#   tools/download-model.sh [DEST]            default DEST: ~/.cache/yoso/yoso-4096
#   HF_ENDPOINT=https://hf-mirror.example tools/download-model.sh   (a mirror; file:// works too)
#   YOSO_HF_REPO=owner/name                   another YOSO checkpoint
#
# Needs curl, sha256sum and python3 (to read the hub's JSON). Nothing is executed from the download.
set -euo pipefail
repo="${YOSO_HF_REPO:-uw-madison/yoso-4096}"
endpoint="${HF_ENDPOINT:-https://huggingface.co}"
dest="${1:-$HOME/.cache/yoso/yoso-4096}"
files=(config.json pytorch_model.bin model.safetensors vocab.json merges.txt tokenizer.json
       tokenizer_config.json special_tokens_map.json)

die() { echo "download-model: $*" >&2; exit 1; }
for tool in curl sha256sum python3; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install curl coreutils python3"
done
mkdir -p "$dest" || die "cannot create $dest"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

echo "download-model: reading the file list of $repo from $endpoint" >&2
curl -fsSL "$endpoint/api/models/$repo/tree/main" -o "$tmp/tree.json" ||
  die "cannot reach $endpoint/api/models/$repo/tree/main: check the network or set HF_ENDPOINT to a mirror"

# path <TAB> size <TAB> sha256-or-dash, for the files we want that the repository has
python3 - "$tmp/tree.json" "${files[@]}" > "$tmp/manifest" <<'PY' || die "the hub's file list is not valid JSON"
import json, sys
tree = json.load(open(sys.argv[1]))
wanted = sys.argv[2:]
for entry in tree:
    if entry.get("type") == "file" and entry.get("path") in wanted:
        lfs = entry.get("lfs") or {}
        print(f'{entry["path"]}\t{lfs.get("size", entry.get("size"))}\t{lfs.get("oid", "-")}')
PY
grep -q '^config.json' "$tmp/manifest" || die "$repo has no config.json: is it a YOSO model?"
grep -qE '^(pytorch_model.bin|model.safetensors)' "$tmp/manifest" || die "$repo has no weights file"

while IFS=$'\t' read -r path size sha; do
  out="$dest/$path"
  if [ -f "$out" ] && [ "$(stat -c %s "$out")" = "$size" ] &&
     { [ "$sha" = "-" ] || [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$sha" ]; }; then
    echo "download-model: $path is already complete" >&2
    continue
  fi
  echo "download-model: fetching $path ($size bytes)" >&2
  curl -fL --retry 3 ${YOSO_QUIET:+-sS} "$endpoint/$repo/resolve/main/$path" -o "$tmp/$path.part" ||
    die "download of $path failed: run the script again to retry"
  got="$(stat -c %s "$tmp/$path.part")"
  [ "$got" = "$size" ] || die "$path has $got bytes but the hub says $size: run the script again"
  if [ "$sha" != "-" ]; then
    [ "$(sha256sum "$tmp/$path.part" | cut -d' ' -f1)" = "$sha" ] ||
      die "$path does not match the hub's sha256 $sha: run the script again"
  fi
  mv "$tmp/$path.part" "$out"
done < "$tmp/manifest"
echo "download-model: $repo is in $dest — run: yoso fill-mask -m $dest \"Paris is the [MASK] of France.\"" >&2
