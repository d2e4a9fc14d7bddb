#!/usr/bin/env bash
# Check the deployment files: systemd units with `systemd-analyze verify`, the nginx site with `nginx -t`.
# The units name /opt/shanxi-assistant; the check substitutes this checkout so the executables exist.
# Needs systemd's and nginx's Debian packages (installed here if missing, for the check only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
missing=()
command -v systemd-analyze >/dev/null || missing+=(systemd)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# systemd: copy the units with this checkout's path, fill the template for two ports, verify.
mkdir -p "$tmp/units"
for f in deploy/systemd/*.service deploy/systemd/*.target; do
  sed "s#/opt/shanxi-assistant#$ROOT#g" "$f" >"$tmp/units/$(basename "$f")"
done
cp "$tmp/units/shanxi-rasa@.service" "$tmp/units/shanxi-rasa@5005.service"
cp "$tmp/units/shanxi-rasa@.service" "$tmp/units/shanxi-rasa@5006.service"
mkdir -p "$tmp/etc"; cp deploy/systemd/env.example "$tmp/etc/env"
sed -i "s#/etc/shanxi-assistant/env#$tmp/etc/env#" "$tmp/units/"*.service
getent passwd assistant >/dev/null || sed -i 's/^User=assistant/User=root/; s/^Group=assistant/Group=root/' "$tmp/units/"*.service
out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
  shanxi-assistant.target shanxi-assistant.service shanxi-rasa@5005.service shanxi-rasa@5006.service 2>&1 || true)
# Only complaints about our own units count (the host's unrelated units may be noisy in a container).
ours=$(printf '%s\n' "$out" | grep -E 'shanxi-' || true)
if [ -n "$ours" ]; then printf '%s\n' "$ours"; echo "systemd units: FAILED"; exit 1; fi
echo "systemd units: OK (systemd-analyze verify)"

# nginx: the site inside a minimal main config, with a throwaway self-signed certificate at the placeholders.
mkdir -p "$tmp/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=placeholder \
  -keyout "$tmp/nginx/privkey.pem" -out "$tmp/nginx/fullchain.pem" 2>/dev/null
sed "s#/etc/ssl/shanxi-assistant#$tmp/nginx#g" deploy/nginx/shanxi-assistant.conf >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<CONF
pid $tmp/nginx/nginx.pid;
error_log stderr;
events {}
http { include /etc/nginx/mime.types; access_log off; include $tmp/nginx/site.conf; }
CONF
/usr/sbin/nginx -t -q -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" && echo "nginx site: OK (nginx -t)"
