#!/usr/bin/env bash
# Production smoke test: does Tandem serve pages and static files with the settings a council runs?
#
#   scripts/prod_smoke.sh            # DATABASE_URL (PostgreSQL) if set, else a throw-away SQLite file
#
# With DJANGO_ENV=production and DEBUG off it migrates the database, collects static files into a
# temporary STATIC_ROOT (whitenoise's hashed, compressed manifest storage), starts gunicorn on a free
# port of 127.0.0.1, and fetches the sign-in page and a hashed stylesheet named in it, each with 200,
# sending the headers a TLS-terminating proxy sends (Host, X-Forwarded-Proto: https). It also checks
# that a plain-HTTP request is redirected to HTTPS. Then it stops gunicorn and removes what it made.
# .ci/run calls it; any failure stops CI with a line starting "prod_smoke: FAILED".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py="$root/.venv/bin/python"
gunicorn="$root/.venv/bin/gunicorn"
host=tandem.smoke.example

fail() {
  if [ -s "${work:-/nonexistent}/gunicorn.log" ]; then echo "-- gunicorn's log:" >&2; tail -n 30 "$work/gunicorn.log" >&2; fi
  echo "prod_smoke: FAILED: $*" >&2
  exit 1
}
[ -x "$py" ] && [ -x "$gunicorn" ] || fail "no .venv with gunicorn: run 'make venv' first"
command -v curl >/dev/null || fail "curl is needed"

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_ENV=production
export DJANGO_DEBUG=0
export SECRET_KEY
SECRET_KEY=$("$py" -c 'import secrets; print(secrets.token_urlsafe(60))')
export ALLOWED_HOSTS=$host
export STATIC_ROOT="$work/static"
export TANDEM_VAR_DIR="$work/var"
export MEDIA_ROOT="$work/var/media"
export DATABASE_URL=${DATABASE_URL:-"sqlite:///$work/var/smoke.sqlite3"}
mkdir -p "$TANDEM_VAR_DIR/cache" "$MEDIA_ROOT"

echo "prod_smoke: database ${DATABASE_URL%%://*}, migrating"
"$py" manage.py migrate --noinput -v0 || fail "migrate failed with production settings"

echo "prod_smoke: collectstatic (manifest storage)"
"$py" manage.py collectstatic --noinput -v0 || fail "collectstatic failed with production settings (a url() in a stylesheet names a file that is not vendored?)"
[ -s "$STATIC_ROOT/staticfiles.json" ] || fail "collectstatic wrote no manifest"

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "prod_smoke: gunicorn on 127.0.0.1:$port"
# gunicorn itself trusts X-Forwarded-Proto from 127.0.0.1; trusting only an address that is not ours
# makes Django's SECURE_PROXY_SSL_HEADER the thing under test, as it is when the proxy is elsewhere.
"$gunicorn" config.wsgi --bind "127.0.0.1:$port" --workers 1 --threads 2 --graceful-timeout 5 \
  --forwarded-allow-ips 192.0.2.1 --no-control-socket --error-logfile "$work/gunicorn.log" --capture-output >/dev/null 2>&1 &
pid=$!

base="http://127.0.0.1:$port"
as_proxy=(-H "Host: $host" -H "X-Forwarded-Proto: https")
for _ in $(seq 60); do
  curl -s -o /dev/null "${as_proxy[@]}" "$base/healthz" && break
  kill -0 "$pid" 2>/dev/null || fail "gunicorn exited while starting"
  sleep 0.5
done

fetch() {  # fetch URL OUTFILE [curl args...]: prints the status code
  local url=$1 out=$2; shift 2
  curl -s -o "$out" -w '%{http_code}' "$@" "$base$url" || echo "000"
}

status=$(fetch /accounts/login/ "$work/login.html" "${as_proxy[@]}")
[ "$status" = 200 ] || fail "the sign-in page gave $status, not 200"
grep -q 'name="login"' "$work/login.html" || fail "the sign-in page has no sign-in form"

css=$(grep -oE '/static/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css' "$work/login.html" | head -1 || true)
[ -n "$css" ] || fail "the sign-in page links no hashed govuk-frontend stylesheet (is the manifest storage on?)"
status=$(fetch "$css" "$work/style.css" "${as_proxy[@]}" -D "$work/style.headers")
[ "$status" = 200 ] || fail "$css gave $status, not 200"
[ "$(wc -c < "$work/style.css")" -gt 10000 ] || fail "$css is nearly empty"
grep -qi '^cache-control:.*max-age=315360000' "$work/style.headers" || fail "$css is not served with a far-future cache lifetime"

status=$(fetch /no-such-page/ "$work/missing.html" "${as_proxy[@]}")
[ "$status" = 404 ] || fail "a missing page gave $status, not 404"
if grep -q "URLconf" "$work/missing.html"; then fail "a missing page shows Django's debug page: DEBUG is on"; fi

status=$(fetch /accounts/login/ /dev/null -H "Host: $host")
[ "$status" = 301 ] || fail "a plain-HTTP request gave $status, not a redirect to HTTPS"

kill -TERM "$pid"
if ! wait "$pid"; then pid=""; fail "gunicorn did not stop cleanly"; fi
pid=""
echo "prod_smoke: OK (sign-in page and $css served with DEBUG off)"
