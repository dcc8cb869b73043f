#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# baseline-punch - like baseline-stuck-truncate, for a hole punch:
# fallocate -p -o 0 -l 4096 of the pinned page stays stuck after the
# O_DIRECT read that pinned it completed; SIGTERM frees it (and the hole
# is punched).

exec bash "$(dirname "${BASH_SOURCE[0]}")/baseline-stuck-truncate.sh" punch
