#!/bin/sh
# The packaged unit runs with DynamicUser, so no user is created here; the
# unit lives in /usr/lib/systemd/system and ExecStart names /usr/bin.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
