#!/usr/bin/env bash
# Installs Muster on a server: the binaries, a dedicated `muster` user, its directories with the
# right owners and modes, the broker's CURVE and audit signing keys (generated if absent), a
# starting configuration and policy (if absent), and the systemd units. Safe to run again: it
# never overwrites keys, configuration or policy; it upgrades binaries and units.
#
# Usage (as root):
#   deploy/install.sh [--prefix /usr/local] [--sysconfdir /etc/muster] [--statedir /var/lib/muster]
#                     [--backupdir /var/backups/muster] [--spooldir /var/spool/muster-cap]
#                     [--unitdir /etc/systemd/system] [--build-dir build/release] [--no-build]
#                     [--name city]
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=/usr/local
SYSCONFDIR=/etc/muster
STATEDIR=/var/lib/muster
BACKUPDIR=/var/backups/muster
SPOOLDIR=/var/spool/muster-cap
UNITDIR=/etc/systemd/system
BUILD_DIR=build/release
BUILD=1
NAME=city
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --sysconfdir) SYSCONFDIR="$2"; shift 2 ;;
    --statedir) STATEDIR="$2"; shift 2 ;;
    --backupdir) BACKUPDIR="$2"; shift 2 ;;
    --spooldir) SPOOLDIR="$2"; shift 2 ;;
    --unitdir) UNITDIR="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --name) NAME="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then echo "error: run as root (it creates a user and system directories)" >&2; exit 1; fi

BINARIES=(musterd muster muster-admin muster-keygen muster-audit muster-cap muster-edxl muster-gateway)
if [ "$BUILD" = 1 ]; then
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release -j2 --target "${BINARIES[@]}"
fi

echo "== user"
if ! id muster >/dev/null 2>&1; then
  useradd --system --home-dir "$STATEDIR" --no-create-home --shell /usr/sbin/nologin muster
  echo "created system user muster"
fi

echo "== directories"
install -d -m 0755 "$PREFIX/bin" "$UNITDIR"
install -d -m 0750 -o root -g muster "$SYSCONFDIR" "$SYSCONFDIR/keys" "$SYSCONFDIR/cap"
install -d -m 0700 -o muster -g muster "$STATEDIR" "$BACKUPDIR" "$SPOOLDIR"
# muster-edxl@AGENCY: its settings in $SYSCONFDIR/edxl/AGENCY.env, its files under $SPOOLDIR/edxl/AGENCY.
install -d -m 0750 -o root -g muster "$SYSCONFDIR/edxl"
install -d -m 0700 -o muster -g muster "$SPOOLDIR/edxl"
# muster-gateway: its configuration (gateway.toml, TLS certificate and key) and its state.
install -d -m 0750 -o root -g muster "$SYSCONFDIR/gateway"
install -d -m 0700 -o muster -g muster "$STATEDIR/gateway"

echo "== binaries"
for b in "${BINARIES[@]}"; do
  found=$(find "$BUILD_DIR" -maxdepth 3 -type f -name "$b" -perm -u+x | head -1)
  if [ -z "$found" ]; then echo "warning: $b not built in $BUILD_DIR; skipped" >&2; continue; fi
  install -m 0755 "$found" "$PREFIX/bin/$b"
done

echo "== keys"
KEYGEN="$PREFIX/bin/muster-keygen"
if [ ! -f "$SYSCONFDIR/keys/broker.key" ]; then
  "$KEYGEN" broker --dir "$SYSCONFDIR/keys" >/dev/null
  echo "generated the broker's CURVE key: give $SYSCONFDIR/keys/broker.pub to every client"
fi
if [ ! -f "$SYSCONFDIR/keys/broker.signing.key" ]; then
  "$KEYGEN" --signing broker --key-name "muster/$NAME" --dir "$SYSCONFDIR/keys" >/dev/null
  echo "generated the audit signing key: give $SYSCONFDIR/keys/broker.signing.pub to the auditors"
fi
if [ ! -f "$SYSCONFDIR/keys/admin.key" ]; then
  "$KEYGEN" admin --dir "$SYSCONFDIR/keys" >/dev/null
  echo "generated an operator key for muster-admin: $SYSCONFDIR/keys/admin.key"
fi
# The broker (user muster) reads its secret keys; nobody else does.
chown muster:muster "$SYSCONFDIR/keys/broker.key" "$SYSCONFDIR/keys/broker.signing.key"
chmod 0600 "$SYSCONFDIR/keys/broker.key" "$SYSCONFDIR/keys/broker.signing.key" "$SYSCONFDIR/keys/admin.key"
chmod 0644 "$SYSCONFDIR/keys/"*.pub

echo "== configuration"
if [ ! -f "$SYSCONFDIR/musterd.toml" ]; then
  sed -e "s|^name = .*|name = \"$NAME\"|" -e "s|^data_dir = .*|data_dir = \"$STATEDIR/data\"|" \
    deploy/examples/musterd.toml > "$SYSCONFDIR/musterd.toml"
  echo "wrote $SYSCONFDIR/musterd.toml"
fi
if [ ! -f "$SYSCONFDIR/policy.toml" ]; then
  cp deploy/examples/policy.toml "$SYSCONFDIR/policy.toml"
  echo "wrote $SYSCONFDIR/policy.toml (only the operator; add your organisations and principals)"
fi
chown root:muster "$SYSCONFDIR/musterd.toml" "$SYSCONFDIR/policy.toml"
chmod 0640 "$SYSCONFDIR/musterd.toml" "$SYSCONFDIR/policy.toml"

echo "== systemd units"
for unit in musterd.service muster-cap@.service muster-edxl@.service muster-gateway.service; do
  sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@STATEDIR@|$STATEDIR|g" \
      -e "s|@BACKUPDIR@|$BACKUPDIR|g" -e "s|@SPOOLDIR@|$SPOOLDIR|g" \
      "deploy/systemd/$unit" > "$UNITDIR/$unit"
  chmod 0644 "$UNITDIR/$unit"
done
if [ -d /run/systemd/system ] && [ "$UNITDIR" = /etc/systemd/system ]; then
  systemctl daemon-reload
  echo "units installed; start with: systemctl enable --now musterd"
else
  echo "units written to $UNITDIR (systemd is not running here; enable them on the target host)"
fi
echo
echo "Next: add organisations and principals to $SYSCONFDIR/policy.toml (docs/policy.md), start musterd,"
echo "then check it: $PREFIX/bin/muster-admin --broker tcp://127.0.0.1:7750 --key $SYSCONFDIR/keys/admin.key \\"
echo "  --server-key $SYSCONFDIR/keys/broker.pub health"
