#!/usr/bin/env bash
# The main job: install, build, then bring up the course's LVS-NAT maquette with uvsd and
# uvsadm in network namespaces and check it (pages alternate S1/S2, uvsadm -Lnc / -Ln).
# The maquette stays up; remove it with: node dist/src/bin/uvs-lab.js down
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
node dist/src/bin/uvs-lab.js nat --rebuild --check
